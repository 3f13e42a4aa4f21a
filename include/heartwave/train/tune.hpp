// Hyperparameter search: random search with successive halving (Jamieson &
// Talwalkar 2016; Li et al. 2018, "Hyperband") over a search space declared
// in a JSON file, for any model family.
//
// The objective only ever sees training data: for the seed protocol it is the
// macro-F1 on the validation split of a model fitted on train; for the
// inter-patient protocol it is the macro-F1 of record-grouped cross-validation
// inside DS1 (each fold's beats predicted by a model fitted on the other
// folds, predictions pooled). Both come from load_training_splits(), which
// cannot open the test split (DS2).
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace heartwave {

// A search space: {"name": spec, ...} where spec is one of
//   {"uniform": [lo, hi]}, {"log_uniform": [lo, hi]} (lo > 0),
//   {"int": [lo, hi]} (inclusive), {"choice": [v1, v2, ...]},
// or any other JSON value, which is held fixed. Names are the family's
// parameters; "xgb.eta" reaches into a nested object. The family's budget
// parameter ("num_round" or "epochs") is set by the search, not the space.
class SearchSpace {
 public:
  explicit SearchSpace(const nlohmann::json& spec);  // throws ParseError naming the bad entry
  nlohmann::json sample(std::mt19937_64& rng) const;
  const nlohmann::json& spec() const { return spec_; }

 private:
  nlohmann::json spec_;
};

struct Trial {
  int id = 0;
  nlohmann::json params;  // as sampled (without the budget)
  int rung = 0;
  int budget = 0;          // boosting rounds or epochs allowed
  double objective = -1;   // macro-F1 (higher is better)
  double seconds = 0;
};

struct TuneOptions {
  std::string family;
  std::filesystem::path data;
  int trials = 9;
  double minutes = 0;   // 0: no time limit
  int eta = 3;          // keep the best 1/eta of each rung, give them eta x the budget
  int min_budget = 0;   // 0: the family's default budget / eta^(rungs-1)
  int max_budget = 0;   // 0: the family's default (num_round or epochs)
  std::uint64_t seed = 42;
  int threads = 2;
  std::function<void(const Trial&)> on_trial;  // after each evaluation
};

struct TuneResult {
  std::vector<Trial> trials;  // every evaluation, in order
  Trial best;                 // highest objective at the highest rung reached
  nlohmann::json best_params; // ready for `heartwave train --params` (budget included)
  std::string objective;      // what was measured
  bool stopped_by_time = false;
};

TuneResult tune(const SearchSpace& space, const TuneOptions& options);

// The objective alone (for tests and for `tune`): macro-F1 as described
// above, for `params` (budget included).
double tune_objective(const std::string& family, const nlohmann::json& params, const std::filesystem::path& data,
                      std::uint64_t seed, int threads, std::string* description = nullptr);

}  // namespace heartwave
