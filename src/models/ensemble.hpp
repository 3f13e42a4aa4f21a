// Private to src/models: the "ensemble" family (a weighted average of other
// families' probabilities).
#pragma once
#include <memory>

#include "heartwave/models/model.hpp"

namespace heartwave {
std::unique_ptr<Classifier> make_ensemble(const nlohmann::json& params, std::uint64_t seed, int threads);
}
