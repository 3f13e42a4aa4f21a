// The tracking store's speed (track/store.hpp), as a markdown table:
//   * logging 10,000 metric points: in one batch, and in batches of 100
//     (a training curve logged as it goes);
//   * listing 10,000 runs (each with 10 parameters, 5 metrics and 2 tags),
//     as `heartwave runs list` does, unfiltered and with a filter and sort.
//   build/release/bench/bench_tracking [--runs 10000] [--points 10000] [--store postgresql://USER@/DB?host=SOCKETDIR]
// (--store: an empty PostgreSQL database instead of a scratch SQLite file)
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "heartwave/track/store.hpp"

using namespace heartwave;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tracking store benchmark"};
  std::size_t runs = 10000, points = 10000;
  std::string dir = (std::filesystem::temp_directory_path() / "heartwave-bench-tracking").string(), store;
  app.add_option("--runs", runs);
  app.add_option("--points", points);
  app.add_option("--dir", dir, "Scratch folder (removed first)");
  app.add_option("--store", store, "An empty store to use instead, e.g. a PostgreSQL database");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  TrackingStore s(store.empty() ? std::filesystem::path(dir) / "t.db" : std::filesystem::path(store));
  std::printf("| what | figure |\n|---|---|\n");
  {
    const auto id = s.start_run("bench", "bench", "", false);
    std::vector<MetricPoint> p;
    for (std::size_t i = 0; i < points; ++i) p.push_back({"loss", 1.0 / static_cast<double>(i + 1), static_cast<std::int64_t>(i), 0});
    const auto t0 = Clock::now();
    s.log_metrics(id, p);
    std::printf("| log %zu metric points, one batch | %.3f s |\n", points, since(t0));
    const auto id2 = s.start_run("bench", "bench", "", false);
    const auto t1 = Clock::now();
    for (std::size_t at = 0; at < points; at += 100) {
      std::vector<MetricPoint> b(p.begin() + static_cast<std::ptrdiff_t>(at), p.begin() + static_cast<std::ptrdiff_t>(std::min(points, at + 100)));
      s.log_metrics(id2, b);
    }
    std::printf("| log %zu metric points, batches of 100 | %.3f s |\n", points, since(t1));
  }
  {
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < runs; ++i) {
      const auto id = s.start_run(i % 2 ? "cv" : "train", "heartwave train --model xgb --data out/datasets/inter-patient", "abcdef", false);
      std::map<std::string, std::string> params;
      for (int k = 0; k < 10; ++k) params["param" + std::to_string(k)] = std::to_string(i * 10 + static_cast<std::size_t>(k));
      s.log_params(id, params);
      s.log_metrics(id, {{"accuracy", 0.9 + 1e-6 * static_cast<double>(i), 0, 0}, {"f1", 0.5, 0, 0}, {"veb_se", 0.9, 0, 0},
                         {"veb_ppv", 0.9, 0, 0}, {"sveb_se", 0.8, 0, 0}});
      s.set_tags(id, {{"heartwave.command", "train"}, {"note", "bench"}});
      s.end_run(id, RunStatus::finished);
    }
    std::printf("| create %zu runs (10 params, 5 metrics, 2 tags each) | %.2f s |\n", runs, since(t0));
  }
  for (int pass = 0; pass < 3; ++pass) {
    RunQuery q;
    q.with_params = pass == 2;  // as `runs list` (table) reads them, then as --json does
    if (pass == 1) {
      q.filters = {parse_run_filter("accuracy>0.905"), parse_run_filter("params.param0!=0")};
      q.sort = "accuracy";
    }
    const auto t0 = Clock::now();
    const auto r = s.runs(q);
    const char* what[] = {" (the table's fields)", ", filtered on a metric and a parameter, sorted", " with every parameter (--json)"};
    std::printf("| list %zu runs%s: %zu kept | %.0f ms |\n", runs + 2, what[pass], r.size(), 1000 * since(t0));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
