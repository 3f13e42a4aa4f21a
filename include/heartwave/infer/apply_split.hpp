// A model applied to a split of a dataset from `heartwave data build`:
// checked to be preprocessed as the model expects, its probabilities and the
// decisions of the decision rule chosen.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/data/rows.hpp"
#include "heartwave/decision/class_weights.hpp"
#include "heartwave/decision/rhythm_step.hpp"
#include "heartwave/models/bundle.hpp"

namespace heartwave {

// Which decision rule to apply: the model's (the default), the plain argmax
// instead of its class weights, no rhythm step, or another rhythm step.
struct DecisionChoice {
  bool argmax = false;
  bool no_rhythm_step = false;
  std::optional<RhythmStep> rhythm_step;  // instead of the model's
};
ClassWeights chosen_class_weights(const DecisionChoice& choice, const nlohmann::json& meta);
RhythmStep chosen_rhythm_step(const DecisionChoice& choice, const RhythmStep& model_step);

// InvalidArgument naming what differs when the dataset (its manifest) is not
// preprocessed as the model's training data was, or has another label set.
void check_compatible(const nlohmann::json& meta, const nlohmann::json& manifest, const std::filesystem::path& data);
// Whether figures stored with a rhythm step were made with this one
// (compared as parsed: a field added later takes its default).
bool same_rhythm_step(const nlohmann::json& stored, const RhythmStep& step);
// The content of one split: a digest of its files' digests (the manifest's
// other fields, such as the folder the database was read from, do not count).
std::string split_digest(const nlohmann::json& manifest, const std::string& split);

struct AppliedSplit {
  ModelBundle bundle;
  nlohmann::json manifest;
  Rows rows;
  std::vector<float> proba;
  std::vector<std::int32_t> pred;
  RhythmStep step;  // as applied
};
AppliedSplit apply_to_split(const std::string& model_path, const std::filesystem::path& data, const std::string& split, int threads,
                            const DecisionChoice& choice);

}  // namespace heartwave
