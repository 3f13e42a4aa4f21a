#include "heartwave/train/cv_run.hpp"

#include <set>
#include <utility>

#include "heartwave/core/error.hpp"
#include "heartwave/core/json_checks.hpp"
#include "heartwave/data/npy.hpp"
#include "heartwave/eval/compare.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/text_parse.hpp"

namespace heartwave {

CrossValidation read_cv_run(const std::filesystem::path& dir, const std::string& manifest_sha, nlohmann::json& cross_validation) {
  const auto where = [&](const char* file) { return (dir / file).string(); };
  nlohmann::json metrics;
  try {
    metrics = nlohmann::json::parse(read_file_text(where("metrics.json")));
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(where("metrics.json") + ": " + e.what());
  }
  if (!metrics.is_object() || !metrics.contains("cross_validation") || !metrics["cross_validation"].is_object())
    throw FormatError(where("metrics.json") + ": no cross_validation object (not a heartwave cv folder)");
  cross_validation = metrics["cross_validation"];
  for (const char* key : {"family", "description"})
    if (!cross_validation.contains(key) || !cross_validation[key].is_string())
      throw FormatError(where("metrics.json") + ": cross_validation." + key + " is not a string");
  if (!cross_validation.contains("early_stopping") || !cross_validation["early_stopping"].is_boolean())
    throw FormatError(where("metrics.json") + ": cross_validation.early_stopping is not true or false");
  if (metrics.value("dataset_manifest_sha256", std::string()) != manifest_sha)
    throw InvalidArgument("cv --from: " + dir.string() + " was run on another dataset than --data (manifest SHA-256 differs)");
  const PredictionRows rows = read_predictions_csv(dir / "predictions.csv");
  const NpyArray proba = read_npy(dir / "proba.npy"), fold = read_npy(dir / "fold.npy");
  const std::size_t n = rows.size();
  if (proba.descr != npy_descr<float>() || proba.shape != std::vector<std::uint64_t>{n, 5})
    throw FormatError(where("proba.npy") + ": expected float32 " + std::to_string(n) + " x 5, one row per line of predictions.csv");
  if (fold.descr != npy_descr<std::int32_t>() || fold.shape != std::vector<std::uint64_t>{n})
    throw FormatError(where("fold.npy") + ": expected int32 x " + std::to_string(n) + ", one per line of predictions.csv");
  CrossValidation cv;
  const auto p = proba.as<float>();
  cv.proba.assign(p.begin(), p.end());
  const auto f = fold.as<std::int32_t>();
  cv.fold.assign(f.begin(), f.end());
  cv.predicted = argmax_rows(cv.proba);
  for (std::size_t i = 0; i < n; ++i) {
    if (rows.truth[i] < 0) throw FormatError(where("predictions.csv") + ": line " + std::to_string(i + 2) + " has no label");
    if (cv.predicted[i] != rows.predicted[i])
      throw FormatError(where("proba.npy") + ": row " + std::to_string(i) + " does not give predictions.csv's class (files from different runs?)");
    const std::string line = where("predictions.csv") + ":" + std::to_string(i + 2);
    const std::int64_t rec = parse_int(rows.record[i], line, "record number");
    if (!std::in_range<std::int32_t>(rec)) throw FormatError(line + ": record " + rows.record[i] + " is out of range");
    cv.record.push_back(static_cast<std::int32_t>(rec));
  }
  cv.truth = rows.truth;
  cv.r_sample = rows.r_sample;
  std::set<std::int32_t> folds(cv.fold.begin(), cv.fold.end());
  cv.folds = static_cast<int>(folds.size());
  if (cross_validation.contains("best_iteration")) {
    const auto& b = cross_validation["best_iteration"];
    if (!b.is_array()) throw FormatError(where("metrics.json") + ": cross_validation.best_iteration is not a list");
    for (const auto& v : b) {
      const auto it = json_integer_in(v, -1, 1'000'000'000);
      if (!it) throw FormatError(where("metrics.json") + ": cross_validation.best_iteration holds a value that is not an iteration");
      cv.best_iteration.push_back(static_cast<int>(*it));
    }
  }
  cv.description = cross_validation["description"].get<std::string>() + " (decided again from " + dir.string() + ")";
  cross_validation["description"] = cv.description;
  cross_validation["decided_again_from"] = dir.string();
  return cv;
}


}  // namespace heartwave
