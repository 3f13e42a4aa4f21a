// Reading back what `heartwave cv` wrote, to decide again without training.
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "heartwave/train/cross_validate.hpp"

namespace heartwave {

// An earlier cv run's out-of-fold rows (predictions.csv for the beats and
// labels, proba.npy and fold.npy exactly as it wrote them) and its
// metrics.json "cross_validation" object. The run must be of this dataset.
// FormatError naming the file and field for anything missing or
// inconsistent; InvalidArgument when the run was of another dataset
// (`manifest_sha`, the SHA-256 of the dataset's manifest.json).
CrossValidation read_cv_run(const std::filesystem::path& dir, const std::string& manifest_sha, nlohmann::json& cross_validation);

}  // namespace heartwave
