// A model file's metadata, as read after its checksum passed (a file from
// elsewhere can hold anything): the preprocessing and the decision rule are
// read or rejected with a heartwave::Error, never a crash; weights that are
// accepted decide any probabilities.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/beat_pipeline.hpp"
#include "heartwave/decision.hpp"
#include "heartwave/error.hpp"

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
  return 0;
}
