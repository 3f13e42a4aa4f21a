#include "heartwave/decision/class_weights.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"

namespace heartwave {
namespace {

constexpr std::size_t kClasses = 5;

void check_weights(const ClassWeights& w) {
  for (double v : w)
    if (!std::isfinite(v) || v <= 0) throw InvalidArgument("class weights must be finite and positive");
}

}  // namespace

std::int32_t decide_row(const float* p, const ClassWeights& w) {
  std::size_t best = 0;
  double top = w[0] * p[0];
  for (std::size_t c = 1; c < kClasses; ++c)
    if (const double v = w[c] * p[c]; v > top) {
      top = v;
      best = c;
    }
  return static_cast<std::int32_t>(best);
}

std::vector<std::int32_t> decide(std::span<const float> proba, const ClassWeights& weights) {
  if (proba.size() % kClasses) throw InvalidArgument("decide: probabilities are not rows x 5");
  check_weights(weights);
  std::vector<std::int32_t> out(proba.size() / kClasses);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = decide_row(proba.data() + i * kClasses, weights);
  return out;
}

ClassWeights class_weights_from_json(const nlohmann::json& decision) {
  ClassWeights w{1, 1, 1, 1, 1};
  if (decision.is_null()) return w;
  if (!decision.is_object() || !decision.contains("class_weights"))
    throw FormatError("decision: expected an object with \"class_weights\"");
  const auto& a = decision["class_weights"];
  if (!a.is_array() || a.size() != kClasses) throw FormatError("decision.class_weights: expected 5 numbers");
  for (std::size_t c = 0; c < kClasses; ++c) {
    if (!a[c].is_number()) throw FormatError("decision.class_weights[" + std::to_string(c) + "]: not a number");
    w[c] = a[c].get<double>();
    if (!std::isfinite(w[c]) || w[c] <= 0)
      throw FormatError("decision.class_weights[" + std::to_string(c) + "]: must be finite and positive");
  }
  return w;
}

ClassWeights model_class_weights(const nlohmann::json& meta) {
  return class_weights_from_json(meta.is_object() && meta.contains("decision") ? meta["decision"] : nlohmann::json());
}

}  // namespace heartwave
