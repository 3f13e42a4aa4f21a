// Reading the datasets written by `heartwave data build` back into memory.
//
// Training code gets its rows only through load_training_splits(), which
// never opens the test split: for the seed protocol it returns train and val;
// for the inter-patient protocol it returns DS1 only, split by record-grouped
// folds into rows to fit and rows for early stopping. The test split (DS2)
// is reachable only through load_evaluation_split(), which training and
// tuning code does not call.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "heartwave/data/rows.hpp"

namespace heartwave {

struct TrainingSplits {
  Rows fit;       // rows the model learns from
  Rows early;     // rows for early stopping / model selection (never test)
  Rows held_out;  // inter-patient with a held-out fold: its rows (for cross-validation)
  std::string protocol;
  std::string manifest_sha256;
  std::string description;  // how `fit` and `early` were formed
};

// Reads DIR/manifest.json (and checks each file's SHA-256 as it is read).
// Its structure is checked by validate_manifest.
nlohmann::json read_manifest(const std::filesystem::path& dir);

// The fields later steps read, checked for presence, type and range
// (format and version, protocol, files with their digests, splits, label
// set, classes, schema, sampling rate, DS1 folds): FormatError naming
// `where` and the field, UnsupportedError for another format version.
void validate_manifest(const nlohmann::json& manifest, const std::string& where);

// For inter-patient datasets, `early_fold` names the DS1 fold held out for
// early stopping (its SMOTE rows are dropped from both sides; -1: none, and
// `early` stays empty so the family trains its configured length); a
// `held_out_fold` >= 0 is kept out of both and returned as `held_out`. With
// `exclude_af`, `fit` and `early` lose their rows inside annotated atrial
// fibrillation or flutter (without_af_rows); `held_out` keeps them
// (InvalidArgument for seed datasets, which have no rhythm column).
TrainingSplits load_training_splits(const std::filesystem::path& dir, View view, int early_fold = 0, int held_out_fold = -1,
                                    bool exclude_af = false);

// `in` without its rows inside annotated atrial fibrillation or flutter
// (rhythm 1), for fitting only. Throws FormatError when `in` has no rhythm
// column (a dataset built before it existed: rebuild it).
Rows without_af_rows(const Rows& in);

// The rows of `in` whose `keep` flag is set, in order.
Rows select_rows(const Rows& in, const std::vector<bool>& keep);

// Loads one split ("test", "val" or "train") for evaluation.
Rows load_evaluation_split(const std::filesystem::path& dir, const std::string& split, View view);

}  // namespace heartwave
