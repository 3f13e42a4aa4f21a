// Private to src/models: the LibTorch families. Only torch_families.cpp sees
// LibTorch's headers.
#pragma once
#include <memory>

#include "heartwave/model.hpp"

namespace heartwave {
std::unique_ptr<Classifier> make_cnn_mlp(const nlohmann::json& params, std::uint64_t seed, int threads);
std::unique_ptr<Classifier> make_convxgb(const nlohmann::json& params, std::uint64_t seed, int threads);
}
