// Times `heartwave data build` (the library call behind it) end to end and per
// stage, and prints a markdown table.
//   build/release/bench/bench_build [--protocol seed|inter-patient] [--threads N] [--repeat N]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "heartwave/core/allocator.hpp"
#include "heartwave/data/builder.hpp"
#include "host.hpp"

using namespace heartwave;

int main(int argc, char** argv) {
  tune_allocator_for_batch_work();  // as the heartwave CLI does
  std::string protocol = "seed";
  int threads = 2, repeat = 5;
  CLI::App app{"Times `heartwave data build` end to end and per stage (markdown table)", "bench_build"};
  app.add_option("--protocol", protocol, "Dataset protocol")->check(CLI::IsMember({"seed", "inter-patient"}));
  app.add_option("--threads", threads, "Worker threads")->check(CLI::PositiveNumber);
  app.add_option("--repeat", repeat, "Builds timed")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  BuildOptions opt;
  opt.data_dir = bench::default_database();
  opt.out_dir = std::filesystem::temp_directory_path() / "heartwave-bench-build";
  opt.protocol = parse_protocol(protocol);
  opt.labels = opt.protocol == Protocol::seed ? LabelSet::seed : LabelSet::aami;
  opt.threads = threads;
  std::map<std::string, std::vector<double>> stage;
  std::vector<double> wall;
  std::vector<std::string> order;
  for (int r = 0; r < repeat + 1; ++r) {  // the first run warms the page cache and is dropped
    const auto t0 = std::chrono::steady_clock::now();
    const BuildReport rep = build_dataset(opt);
    const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r == 0) continue;
    wall.push_back(w);
    for (auto& [name, s] : rep.stage_seconds) {
      if (stage[name].empty() && r == 1) order.push_back(name);
      stage[name].push_back(s);
    }
  }
  std::filesystem::remove_all(opt.out_dir);
  auto stats = [](const std::vector<double>& v) {
    double m = 0, s = 0;
    for (double x : v) m += x;
    m /= static_cast<double>(v.size());
    for (double x : v) s += (x - m) * (x - m);
    return std::pair{m, v.size() > 1 ? std::sqrt(s / static_cast<double>(v.size() - 1)) : 0.0};
  };
  std::printf("%s\ndata build --protocol %s, %d threads, %d runs (after one warm-up)\n\n", heartwave::bench::host_line().c_str(),
              protocol.c_str(), threads, repeat);
  std::printf("| stage | mean s | std s |\n|---|---|---|\n");
  for (const auto& name : order) {
    auto [m, s] = stats(stage[name]);
    std::printf("| %s | %.3f | %.3f |\n", name.c_str(), m, s);
  }
  auto [m, s] = stats(wall);
  std::printf("| **total (wall)** | **%.3f** | %.3f |\n", m, s);
  return 0;
}
