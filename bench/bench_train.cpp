// Training speed of the three families at fixed sizes, as a markdown table.
//   build/release/bench/bench_train --data DIR [--rounds 500] [--epochs 3] [--threads 2]
//                                   [--family all|xgb-feat|cnn-mlp|convxgb]
// DIR is a seed-protocol dataset from `heartwave data build` (its train split,
// SMOTE rows included, is fitted; no early stopping, so every family trains
// exactly the length asked for). Each round or epoch is timed from the
// family's own progress callback.
//   xgb-feat: `--rounds` boosting rounds, depth 6, 5 classes (the original
//             project's 500-round model size), samples + features.
//   cnn-mlp:  `--epochs` epochs of the CNN + MLP network, batch 512.
//   convxgb:  `--epochs` epochs of its CNN trunk, then 50 XGBoost rounds on
//             the pooled values and features.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "heartwave/data/reader.hpp"
#include "heartwave/models/model.hpp"
#include "host.hpp"

using namespace heartwave;
using Clock = std::chrono::steady_clock;

namespace {

struct Stage {
  std::string name;
  std::vector<double> seconds;  // per iteration, from the end of the previous one
};

struct Timing {
  double total = 0;
  std::vector<Stage> stages;  // in order of appearance
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Timing time_fit(const std::string& family, const nlohmann::json& params, const Rows& fit, int threads) {
  auto model = create_classifier(family, params, 42, threads);
  Timing t;
  double prev = 0;
  const auto t0 = Clock::now();
  const TrainResult res = model->fit(fit, Rows{}, [&](int, int, const TrainLogEntry& e) {
    const double now = std::chrono::duration<double>(Clock::now() - t0).count();
    if (t.stages.empty() || t.stages.back().name != e.stage) t.stages.push_back({e.stage, {}});
    t.stages.back().seconds.push_back(now - prev);
    prev = now;
  });
  t.total = std::chrono::duration<double>(Clock::now() - t0).count();
  std::size_t calls = 0;
  for (const auto& s : t.stages) calls += s.seconds.size();
  if (res.log.size() != calls) std::fprintf(stderr, "warning: %zu log entries, %zu progress calls\n", res.log.size(), calls);
  return t;
}

// The first iteration of a stage carries its set-up (XGBoost's DMatrix and
// quantile sketch, the trunk's pooled values for convxgb's XGBoost), so it is
// shown apart from the median of the others.
void print_row(const std::string& family, const Timing& t, int threads) {
  for (std::size_t i = 0; i < t.stages.size(); ++i) {
    const Stage& s = t.stages[i];
    const std::vector<double> rest(s.seconds.begin() + 1, s.seconds.end());
    char others[32] = "", total[32] = "";
    if (!rest.empty()) std::snprintf(others, sizeof others, "%.3f s", median(rest));
    if (i == 0) std::snprintf(total, sizeof total, "%.1f s", t.total);
    std::printf("| %s | %s | %d | %zu | %.3f s | %s | %s |\n", family.c_str(), s.name.c_str(), threads, s.seconds.size(),
                s.seconds.front(), others, total);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string data, family = "all", xgb_params = "{}";
  int rounds = 500, epochs = 3, threads = 2;
  CLI::App app{"Training speed per round / epoch of each family at fixed sizes (markdown table)", "bench_train"};
  app.add_option("--data", data, "Seed-protocol dataset folder")->required();
  app.add_option("--family", family, "Family to time")->check(CLI::IsMember({"all", "xgb-feat", "cnn-mlp", "convxgb"}));
  app.add_option("--rounds", rounds, "XGBoost rounds")->check(CLI::PositiveNumber);
  app.add_option("--epochs", epochs, "CNN epochs")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "Threads")->check(CLI::PositiveNumber);
  app.add_option("--xgb-params", xgb_params, "Extra XGBoost parameters (JSON)");
  CLI11_PARSE(app, argc, argv);
  const bool all = family == "all";
  const TrainingSplits s = load_training_splits(data, View::feat);
  std::printf("%s\n", heartwave::bench::host_line().c_str());
  std::printf("%s: train split, %zu rows x %zu columns (SMOTE rows included), no early stopping\n\n", data.c_str(), s.fit.n, s.fit.dim);
  std::printf("| family | stage | threads | iterations | first | median of the others | fit in all |\n|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  if (all || family == "xgb-feat") {
    nlohmann::json p = {{"balanced_weights", false}, {"eta", 0.2}, {"max_depth", 6}, {"num_round", rounds}};
    p.update(nlohmann::json::parse(xgb_params));
    print_row("xgb-feat", time_fit("xgb-feat", p, s.fit, threads), threads);
    std::fflush(stdout);
  }
  if (all || family == "cnn-mlp") {
    const nlohmann::json p = {{"balanced_weights", false}, {"epochs", epochs}};
    print_row("cnn-mlp", time_fit("cnn-mlp", p, s.fit, threads), threads);
    std::fflush(stdout);
  }
  if (all || family == "convxgb") {
    const nlohmann::json p = {{"balanced_weights", false}, {"epochs", epochs}, {"xgb", {{"balanced_weights", false}, {"num_round", 50}}}};
    print_row("convxgb", time_fit("convxgb", p, s.fit, threads), threads);
  }
  return 0;
}
