#include "heartwave/cross_validate.hpp"

#include <algorithm>

#include "heartwave/dataset_reader.hpp"
#include "heartwave/error.hpp"
#include "heartwave/metrics.hpp"
#include "heartwave/model.hpp"

namespace heartwave {

CrossValidation cross_validate(const std::string& family, const nlohmann::json& params, const std::filesystem::path& data,
                               std::uint64_t seed, int threads, const std::function<void(int, int)>& on_fold,
                               bool early_stopping) {
  const View view = create_classifier(family, params, seed, threads)->view();
  const nlohmann::json man = read_manifest(data);
  if (man["protocol"] != "inter-patient")
    throw InvalidArgument(data.string() + ": cross-validation needs an inter-patient dataset (folds grouped by record); "
                          "this one is " + man["protocol"].dump());
  CrossValidation cv;
  cv.folds = man["parameters"]["folds"].get<int>();
  if (cv.folds < 3) throw InvalidArgument(data.string() + ": cross-validation needs at least 3 folds (held out, early stopping, fit)");
  for (int f = 0; f < cv.folds; ++f) {
    const int early = early_stopping ? (f + 1) % cv.folds : -1;
    const TrainingSplits s = load_training_splits(data, view, early, f);
    auto m = create_classifier(family, params, seed, threads);
    cv.best_iteration.push_back(m->fit(s.fit, s.early, nullptr).best_iteration);
    const auto p = m->predict_proba(s.held_out.X, s.held_out.n);
    const auto pred = argmax_rows(p);
    cv.truth.insert(cv.truth.end(), s.held_out.y.begin(), s.held_out.y.end());
    cv.predicted.insert(cv.predicted.end(), pred.begin(), pred.end());
    cv.record.insert(cv.record.end(), s.held_out.record.begin(), s.held_out.record.end());
    cv.r_sample.insert(cv.r_sample.end(), s.held_out.r_sample.begin(), s.held_out.r_sample.end());
    cv.fold.insert(cv.fold.end(), s.held_out.n, f);
    cv.proba.insert(cv.proba.end(), p.begin(), p.end());
    if (on_fold) on_fold(f + 1, cv.folds);
  }
  cv.description = std::to_string(cv.folds) + "-fold record-grouped cross-validation inside DS1: each fold predicted by a "
                   "model fitted on the others, " +
                   std::string(early_stopping ? "early stopping on the next fold" : "no early stopping (the configured length)") +
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
