// heartwave tune: hyperparameter search (random search + successive halving).
#include <spdlog/spdlog.h>

#include <cstdio>

#include "cli.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/train/tune.hpp"

namespace heartwave::cli {

void register_tune(CLI::App& app, TuneArgs& t, int& status) {
  CLI::App* cmd = app.add_subcommand("tune", "Search a model family's hyperparameters on the training data (never the test split)");
  cmd->add_option("--model", t.model, "Model family")->required()->check(CLI::IsMember({"xgb-feat", "convxgb", "cnn-mlp"}));
  cmd->add_option("--data", t.data, "Dataset folder (with manifest.json)")->required();
  cmd->add_option("--trials", t.trials, "Configurations sampled at the first rung")->required()->check(CLI::Range(1, 10000));
  cmd->add_option("--minutes", t.minutes, "Stop starting new evaluations after this long (0: no limit)")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--space", t.space, "Search space JSON (default: configs/tune/MODEL.json of the source tree)");
  cmd->add_option("--out", t.out, "Trials and the best configuration (JSON); the best parameters also go to OUT.params.json")->capture_default_str();
  cmd->add_option("--eta", t.eta, "Successive halving: keep 1/eta of each rung, give it eta x the budget")->capture_default_str()->check(CLI::Range(2, 10));
  cmd->add_option("--min-budget", t.min_budget, "Rounds or epochs at the first rung (0: derived)")->capture_default_str();
  cmd->add_option("--max-budget", t.max_budget, "Rounds or epochs at the last rung (0: 500 rounds / 30 epochs)")->capture_default_str();
  cmd->add_option("--seed", t.seed, "Random seed (sampling and training)")->capture_default_str();
  cmd->add_option("--threads", t.threads, "Threads")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->callback([&] { status = run_tune(t); });
}

int run_tune(const TuneArgs& a) {
  return guarded([&] {
    prepare_output_file(a.out);
    const std::string space_path = a.space.empty() ? std::string(HEARTWAVE_SOURCE_DIR) + "/configs/tune/" + a.model + ".json" : a.space;
    nlohmann::json spec;
    try {
      spec = nlohmann::json::parse(read_file_text(space_path));
    } catch (const nlohmann::json::exception& e) {
      throw ParseError(space_path + ": " + e.what());
    }
    const SearchSpace space(spec);
    TuneOptions o;
    o.family = a.model;
    o.data = a.data;
    o.trials = a.trials;
    o.minutes = a.minutes;
    o.eta = a.eta;
    o.min_budget = a.min_budget;
    o.max_budget = a.max_budget;
    o.seed = a.seed;
    o.threads = a.threads;
    o.on_trial = [](const Trial& t) {
      spdlog::info("trial {:3d} rung {} budget {:4d}: macro-F1 {:.2f}% in {:.1f} s  {}", t.id, t.rung, t.budget, 100 * t.objective,
                   t.seconds, t.params.dump());
    };
    const TuneResult r = tune(space, o);
    nlohmann::json trials = nlohmann::json::array();
    for (const auto& t : r.trials)
      trials.push_back({{"id", t.id}, {"rung", t.rung}, {"budget", t.budget}, {"objective", t.objective}, {"seconds", t.seconds}, {"params", t.params}});
    nlohmann::json out = {{"family", a.model},       {"data", a.data},        {"objective", r.objective},
                                {"space", spec},            {"space_file", space_path}, {"seed", a.seed},
                                {"eta", a.eta},             {"stopped_by_time", r.stopped_by_time},
                                {"best", {{"id", r.best.id}, {"objective", r.best.objective}, {"params", r.best_params}}},
                                {"trials", trials}};
    out["build"] = build_info();
    write_file_atomic(a.out, out.dump(2) + "\n");
    write_file_atomic(a.out + ".params.json", r.best_params.dump(2) + "\n");
    std::printf("objective: %s\n", r.objective.c_str());
    std::printf("%zu evaluations%s; best: trial %d, macro-F1 %.2f%% at budget %d\n", r.trials.size(),
                r.stopped_by_time ? " (stopped by --minutes)" : "", r.best.id, 100 * r.best.objective, r.best.budget);
    std::printf("wrote %s and %s.params.json (use: heartwave train --model %s --params %s.params.json ...)\n", a.out.c_str(),
                a.out.c_str(), a.model.c_str(), a.out.c_str());
    return 0;
  });
}

}  // namespace heartwave::cli
