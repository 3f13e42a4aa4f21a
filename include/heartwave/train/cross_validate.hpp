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

// With `exclude_af`, beats inside annotated atrial fibrillation or flutter
// are left out of fitting and early stopping (without_af_rows) but still
// predicted and scored. `on_fold(fold, folds)` is called after each fold. Without
// `early_stopping` each fold's model is fitted on all the other folds for the
// configured number of rounds or epochs (as `train --early-fold -1` fits on all
// of DS1). Throws InvalidArgument for seed-protocol datasets (their folds are
// not grouped by record).
CrossValidation cross_validate(const std::string& family, const nlohmann::json& params, const std::filesystem::path& data,
                               std::uint64_t seed, int threads,
                               const std::function<void(int, int)>& on_fold = nullptr, bool early_stopping = true,
                               bool exclude_af = false);

// Leave-one-record-out cross-validation inside DS1: each DS1 record's beats
// are predicted by a model fitted on every other record's real beats for the
// configured number of rounds or epochs (no early stopping). As many folds as
// records (22 in DS1), so a selection is less at the mercy of how a handful
// of records fall into 5 folds; `fold` holds the record's index (0-based, in
// record order), so nested choices (class weights) leave one record out too.
CrossValidation leave_one_record_out(const std::string& family, const nlohmann::json& params,
                                     const std::filesystem::path& data, std::uint64_t seed, int threads,
                                     const std::function<void(int, int)>& on_fold = nullptr, bool exclude_af = false);

// The median of the per-fold best iterations (the lower middle one for an
// even count): a number of rounds for training on all of DS1.
int median_best_iteration(const CrossValidation& cv);

}  // namespace heartwave
