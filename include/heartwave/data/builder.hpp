// Building the beat datasets from a WFDB database folder: read every record,
// cut and filter beats, compute features, split, standardise (fitted on the
// training rows), oversample the training split with SMOTE, and write .npy
// files with a manifest.json.
//
// Output layout (DIR = --out):
//   DIR/manifest.json
//   DIR/<split>/base.npy       float32 n x 187   filtered, standardised samples
//   DIR/<split>/feat.npy       float32 n x 239   base columns then the 52 features
//   DIR/<split>/feat_only.npy  float32 n x 52    standardised features
//   DIR/<split>/y.npy          int32   n         class index (label set)
//   DIR/<split>/record.npy     int32   n         MIT-BIH record number; -1 = SMOTE row
//   DIR/<split>/r_sample.npy   int64   n         R-peak sample; -1 = SMOTE row
//   DIR/<split>/fold.npy       int32   n         inter-patient train only: record-grouped fold
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "heartwave/beats/label_sets.hpp"
#include "heartwave/features/extract.hpp"
#include "heartwave/data/split.hpp"

namespace heartwave {

struct BuildOptions {
  std::filesystem::path data_dir;
  std::filesystem::path out_dir;
  Protocol protocol = Protocol::seed;
  LabelSet labels = LabelSet::seed;
  Preprocessing pre;
  std::uint64_t seed = 42;
  double train_frac = 0.8, val_frac = 0.1;  // seed protocol
  int folds = 5;                            // inter-patient: folds inside DS1
  bool smote = true;
  std::map<int, std::size_t> smote_targets = {{1, 5000}, {3, 5000}};
  int smote_k = 5;
  int threads = 2;
  // Records to use; empty = the RECORDS file of data_dir (seed protocol) or
  // DS1 + DS2 (inter-patient).
  std::vector<std::string> records;
  // Progress: stage name, items done, items total.
  std::function<void(const std::string&, std::size_t, std::size_t)> progress;
};

struct SplitSummary {
  std::array<std::size_t, kNumClasses> real{};       // beats from records
  std::array<std::size_t, kNumClasses> synthetic{};  // SMOTE rows
  std::vector<std::string> records;
};

struct BuildReport {
  std::map<std::string, SplitSummary> splits;  // "train", "val", "test"
  std::array<std::size_t, kNumClasses> total{};  // all real beats
  std::vector<std::pair<std::string, double>> stage_seconds;
  std::string manifest_sha256;
};

// Throws Error subclasses for unreadable or inconsistent input.
BuildReport build_dataset(const BuildOptions& options);

// Record names listed in `data_dir/RECORDS`. Throws IoError if absent.
std::vector<std::string> list_records(const std::filesystem::path& data_dir);

}  // namespace heartwave
