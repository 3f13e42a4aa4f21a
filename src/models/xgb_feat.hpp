// Private to src/models: the XGBoost family. Only xgb_feat.cpp sees XGBoost's headers.
#pragma once
#include <memory>

#include "heartwave/models/model.hpp"

namespace heartwave {
std::unique_ptr<Classifier> make_xgb_feat(const nlohmann::json& params, std::uint64_t seed, int threads);
}
