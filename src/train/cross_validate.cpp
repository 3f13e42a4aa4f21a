#include "heartwave/train/cross_validate.hpp"

#include <algorithm>
#include <set>

#include "heartwave/data/reader.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/models/model.hpp"

namespace heartwave {

namespace {

// Throws unless `data` is an inter-patient dataset.
nlohmann::json inter_patient_manifest(const std::filesystem::path& data) {
  nlohmann::json man = read_manifest(data);
  if (man["protocol"] != "inter-patient")
    throw InvalidArgument(data.string() + ": cross-validation needs an inter-patient dataset (folds grouped by record); "
                          "this one is " + man["protocol"].dump());
  return man;
}

// Fits a fresh model on `fit` (with `early` rows for early stopping, or
// none), predicts `held` and appends the predictions as fold `fold`.
void run_fold(CrossValidation& cv, const std::string& family, const nlohmann::json& params, std::uint64_t seed, int threads,
              const Rows& fit, const Rows& early, const Rows& held, int fold) {
  auto m = create_classifier(family, params, seed, threads);
  cv.best_iteration.push_back(m->fit(fit, early, nullptr).best_iteration);
  const auto p = m->predict_proba(held.X, held.n);
  const auto pred = argmax_rows(p);
  cv.truth.insert(cv.truth.end(), held.y.begin(), held.y.end());
  cv.predicted.insert(cv.predicted.end(), pred.begin(), pred.end());
  cv.record.insert(cv.record.end(), held.record.begin(), held.record.end());
  cv.r_sample.insert(cv.r_sample.end(), held.r_sample.begin(), held.r_sample.end());
  cv.fold.insert(cv.fold.end(), held.n, fold);
  cv.proba.insert(cv.proba.end(), p.begin(), p.end());
}

}  // namespace

CrossValidation cross_validate(const std::string& family, const nlohmann::json& params, const std::filesystem::path& data,
                               std::uint64_t seed, int threads, const std::function<void(int, int)>& on_fold,
                               bool early_stopping, bool exclude_af) {
  const View view = create_classifier(family, params, seed, threads)->view();
  const nlohmann::json man = inter_patient_manifest(data);
  CrossValidation cv;
  cv.folds = man["parameters"]["folds"].get<int>();
  if (cv.folds < 3) throw InvalidArgument(data.string() + ": cross-validation needs at least 3 folds (held out, early stopping, fit)");
  for (int f = 0; f < cv.folds; ++f) {
    const int early = early_stopping ? (f + 1) % cv.folds : -1;
    const TrainingSplits s = load_training_splits(data, view, early, f, exclude_af);
    run_fold(cv, family, params, seed, threads, s.fit, s.early, s.held_out, f);
    if (on_fold) on_fold(f + 1, cv.folds);
  }
  cv.description = std::to_string(cv.folds) + "-fold record-grouped cross-validation inside DS1: each fold predicted by a "
                   "model fitted on the others, " +
                   std::string(early_stopping ? "early stopping on the next fold" : "no early stopping (the configured length)") +
                   (exclude_af ? "; AF/flutter beats left out of fitting" : "") + "; predictions pooled; DS2 is not read";
  return cv;
}

CrossValidation leave_one_record_out(const std::string& family, const nlohmann::json& params,
                                     const std::filesystem::path& data, std::uint64_t seed, int threads,
                                     const std::function<void(int, int)>& on_fold, bool exclude_af) {
  const View view = create_classifier(family, params, seed, threads)->view();
  inter_patient_manifest(data);
  // Every real DS1 beat, read once (DS2 is not read).
  const Rows ds1 = load_training_splits(data, view, -1).fit;
  const std::set<std::int32_t> records(ds1.record.begin(), ds1.record.end());
  if (records.size() < 2) throw InvalidArgument(data.string() + ": leaving one record out needs at least 2 DS1 records");
  CrossValidation cv;
  cv.folds = static_cast<int>(records.size());
  int f = 0;
  for (const std::int32_t r : records) {
    std::vector<bool> held(ds1.n), rest(ds1.n);
    for (std::size_t i = 0; i < ds1.n; ++i) {
      held[i] = ds1.record[i] == r;
      rest[i] = !held[i];
    }
    const Rows fit = select_rows(ds1, rest);
    run_fold(cv, family, params, seed, threads, exclude_af ? without_af_rows(fit) : fit, Rows{}, select_rows(ds1, held), f);
    if (on_fold) on_fold(++f, cv.folds);
  }
  cv.description = "leave-one-record-out cross-validation inside DS1 (" + std::to_string(cv.folds) +
                   " records): each record predicted by a model fitted on all the others, no early stopping (the "
                   "configured length)" + (exclude_af ? "; AF/flutter beats left out of fitting" : "") +
                   "; predictions pooled; DS2 is not read";
  return cv;
}

int median_best_iteration(const CrossValidation& cv) {
  if (cv.best_iteration.empty()) throw InvalidArgument("median_best_iteration: no folds");
  std::vector<int> v = cv.best_iteration;
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

}  // namespace heartwave
