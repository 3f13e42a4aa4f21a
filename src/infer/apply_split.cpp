#include "heartwave/infer/apply_split.hpp"

#include <set>

#include "heartwave/core/error.hpp"
#include "heartwave/data/reader.hpp"
#include "heartwave/io/sha256.hpp"

namespace heartwave {

ClassWeights chosen_class_weights(const DecisionChoice& choice, const nlohmann::json& meta) {
  if (choice.argmax) return ClassWeights{1, 1, 1, 1, 1};
  return model_class_weights(meta);
}

RhythmStep chosen_rhythm_step(const DecisionChoice& choice, const RhythmStep& model_step) {
  if (choice.rhythm_step) return *choice.rhythm_step;
  return choice.no_rhythm_step ? RhythmStep{} : model_step;
}

void check_compatible(const nlohmann::json& meta, const nlohmann::json& man, const std::filesystem::path& data) {
  if (!meta.contains("preprocessing") || !meta.contains("label_set"))
    throw FormatError("the model records no preprocessing or label set, so it cannot be matched to a dataset");
  const auto& mp = meta["preprocessing"];
  const auto& dp = man["preprocessing"];
  if (dp != mp) {
    // Name what differs, so that the dataset can be rebuilt to match.
    std::set<std::string> keys;
    for (const auto* side : {&mp, &dp})
      for (const auto& [key, value] : side->items()) keys.insert(key);
    std::string diff;
    for (const auto& key : keys) {
      const auto a = mp.contains(key) ? mp[key] : nlohmann::json(), b = dp.contains(key) ? dp[key] : nlohmann::json();
      if (a == b) continue;
      const bool small = a.dump().size() < 60 && b.dump().size() < 60;
      diff += std::string(diff.empty() ? "" : "; ") + key + (small ? ": model " + a.dump() + ", dataset " + b.dump() : " differs");
    }
    throw InvalidArgument(data.string() + ": dataset preprocessing differs from the model's (" + (diff.empty() ? "other fields" : diff) +
                          "); rebuild the dataset with the model's parameters");
  }
  if (man["label_set"] != meta["label_set"])
    throw InvalidArgument(data.string() + ": label set " + man["label_set"].dump() + " differs from the model's " +
                          meta["label_set"].dump());
}

bool same_rhythm_step(const nlohmann::json& stored, const RhythmStep& gate) {
  if (!rhythm_step_object(stored)) return true;
  try {
    return rhythm_step_from_json(stored) == gate;
  } catch (const FormatError&) {
    return false;
  }
}

std::string split_digest(const nlohmann::json& manifest, const std::string& split) {
  std::string text;
  for (const auto& [name, f] : manifest.at("files").items())
    if (name.rfind(split + "/", 0) == 0) text += name + ":" + f.at("sha256").get<std::string>() + "\n";
  return sha256_hex({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

AppliedSplit apply_to_split(const std::string& model_path, const std::filesystem::path& data, const std::string& split, int threads,
                            const DecisionChoice& choice) {
  AppliedSplit r;
  r.bundle = load_bundle(model_path, threads);
  r.manifest = read_manifest(data);
  check_compatible(r.bundle.meta, r.manifest, data);
  r.rows = load_evaluation_split(data, split, r.bundle.model->view());
  r.proba = r.bundle.model->predict_proba(r.rows.X, r.rows.n);
  r.pred = decide(r.proba, chosen_class_weights(choice, r.bundle.meta));
  r.step = chosen_rhythm_step(choice, model_rhythm_step(r.bundle.meta));
  if (r.step.enabled) {
    // The model's own rows hold the features unless it reads samples only.
    const auto p_wave = p_wave_from_rows(
        r.bundle.model->view() == View::base ? load_evaluation_split(data, split, View::feat_only) : r.rows, r.manifest);
    // The P regions come from the samples (the base or feat view), only where the gate measures coherence.
    std::vector<float> regions;
    if (r.step.p_measure == PMeasure::coherence)
      regions = p_regions_from_rows(
          r.bundle.model->view() == View::feat_only ? load_evaluation_split(data, split, View::base) : r.rows, r.manifest);
    r.pred = step_decisions(r.pred, r.rows.record, r.rows.r_sample, p_wave,
                            r.manifest["preprocessing"]["fs"].get<double>(), r.step, regions);
  }
  return r;
}

}  // namespace heartwave
