// A model file's metadata, as read after its checksum passed (a file from
// elsewhere can hold anything): the preprocessing and the decision rule are
// read or rejected with a heartwave::Error, never a crash; weights that are
// accepted decide any probabilities; an accepted rhythm step only moves beats
// between N and S (V calls stay V). A dataset manifest, too: an accepted one
// answers every read later steps make of it.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/infer/beat_pipeline.hpp"
#include "heartwave/data/reader.hpp"
#include "heartwave/decision/class_weights.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/decision/rhythm_step.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  try {
    heartwave::preprocessing_from_json(j.contains("preprocessing") ? j["preprocessing"] : j);
  } catch (const heartwave::Error&) {
  }
  try {
    const auto w = j.contains("decision") ? heartwave::model_class_weights(j) : heartwave::class_weights_from_json(j);
    const std::vector<float> p = {0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    const auto c = heartwave::decide(p, w);
    if (c.size() != 2 || c[0] < 0 || c[0] > 4 || c[1] < 0 || c[1] > 4) __builtin_trap();
  } catch (const heartwave::Error&) {
  }
  // An accepted rhythm step runs on a short record without failing.
  try {
    const auto g = j.contains("decision") ? heartwave::model_rhythm_step(j) : heartwave::rhythm_step_from_json(j);
    const std::vector<std::int64_t> t = {10, 300, 520, 900, 1100, 1500, 1620, 2000, 2300, 2500, 2950, 3100};
    std::vector<std::int32_t> pred(t.size(), 1);
    for (std::size_t i = 0; i < pred.size(); i += 2) pred[i] = 0;
    pred[3] = 2;
    const std::vector<float> pw(t.size(), 0.1f);
    std::vector<float> regions(t.size() * heartwave::kPRegionLength);  // for a step measuring P-wave coherence
    for (std::size_t i = 0; i < regions.size(); ++i) regions[i] = static_cast<float>((i * 7919) % 23) * 0.01f;
    const auto out = heartwave::step_decisions(pred, std::vector<std::int32_t>(t.size(), 0), t, pw, 360.0, g, regions);
    if (out.size() != pred.size()) __builtin_trap();
    for (std::size_t i = 0; i < out.size(); ++i)
      if (out[i] != pred[i] && !(pred[i] <= 1 && out[i] <= 1)) __builtin_trap();
  } catch (const heartwave::Error&) {
  }
  try {
    heartwave::validate_manifest(j, "manifest.json");
    // What the readers, cross-validation and evaluation read of an accepted manifest.
    for (const auto& [name, f] : j["files"].items()) (void)f["sha256"].get<std::string>();
    (void)j["schema"]["feat"]["columns"].get<std::size_t>();
    (void)j["schema"]["feature_names"].get<std::vector<std::string>>();
    (void)j["preprocessing"]["fs"].get<double>();
    (void)j["label_set"].get<std::string>();
    if (j["protocol"] == "inter-patient" && j["parameters"]["folds"].get<int>() < 1) __builtin_trap();
  } catch (const heartwave::Error&) {
  }
  return 0;
}
