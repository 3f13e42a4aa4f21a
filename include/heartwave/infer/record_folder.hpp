// Every annotated WFDB record of a folder classified end to end, as one
// record is (BeatPipeline::classify_record): for scoring a model on another
// database (`heartwave evaluate --records`).
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/infer/beat_pipeline.hpp"

namespace heartwave {

struct RecordFolderOptions {
  std::filesystem::path dir;
  std::string annotator = "atr";           // reference annotation file extension
  std::vector<std::string> only, exclude;  // these records only / not these (by name)
  bool exclude_paced = false;              // leave out records whose annotations hold paced beats (/ or f), as EC57 reports
};

// The records of the folder with a header and reference annotations, by
// name, after `only` and `exclude`; `unannotated` gets the headers without.
// IoError for a missing folder; InvalidArgument for an `only` name that is
// not there, or no record at all.
std::vector<std::string> annotated_records(const RecordFolderOptions& options, std::vector<std::string>& unannotated);

struct RecordFolderResult {
  std::vector<std::string> names, unannotated, paced;  // scored (numbered in this order), without annotations, left out as paced
  std::vector<std::int32_t> truth, pred, record;        // per beat; record: its index in `names`
  std::vector<std::int64_t> r_sample;                   // at the model's rate
  std::string predictions_csv;                          // predictions_csv.hpp's format
  nlohmann::json per_record = nlohmann::json::array();  // record, fs, leads, beats, errors
  std::map<std::string, std::size_t> unscored;          // beat annotations the label set has no class for, by mnemonic
};

// Each record of `names` (annotated_records(options), `unannotated` what it
// left out; both kept in the result) classified with `pipe`, decided with
// the model's class weights (unless `argmax`) and `step`.
// `progress(k, n)` is called before record k; `check_leads(path, leads)` may
// refuse a record before it is classified.
RecordFolderResult classify_record_folder(const BeatPipeline& pipe, const RecordFolderOptions& options, std::vector<std::string> names,
                                          std::vector<std::string> unannotated, bool argmax, const RhythmStep& step,
                                          const std::function<void(std::size_t, std::size_t)>& progress,
                                          const std::function<void(const std::string&, std::size_t)>& check_leads);

}  // namespace heartwave
