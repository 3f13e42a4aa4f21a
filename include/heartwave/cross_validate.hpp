// Record-grouped cross-validation inside DS1 (inter-patient datasets): each
// fold's beats are predicted by a model fitted on the other folds, with early
// stopping on yet another fold, so that no beat is predicted by a model that
// saw its patient or chose its number of rounds on it. The predictions are
// pooled. DS2 (the test split) is never read: rows come only through
// load_training_splits().
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace heartwave {

struct CrossValidation {
  int folds = 0;
  std::vector<std::int32_t> truth, predicted, record, fold;
  std::vector<std::int64_t> r_sample;
  std::vector<float> proba;      // rows x 5
  std::vector<int> best_iteration;  // per fold
  std::string description;
};

// `on_fold(fold, folds)` is called after each fold. Throws InvalidArgument
// for seed-protocol datasets (their folds are not grouped by record).
CrossValidation cross_validate(const std::string& family, const nlohmann::json& params, const std::filesystem::path& data,
                               std::uint64_t seed, int threads,
                               const std::function<void(int, int)>& on_fold = nullptr);

}  // namespace heartwave
