// Private to src/models: the LibTorch families (cnn-mlp, convxgb). They are
// built as a module of their own (libheartwave_torch.so) and loaded by
// create_torch_classifier the first time one is created, so that a program
// that never trains or loads a LibTorch model never loads LibTorch.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "heartwave/models/model.hpp"

namespace heartwave {

// "cnn-mlp" or "convxgb", from the module. UnsupportedError naming the
// module and the loader's message when it cannot be loaded.
std::unique_ptr<Classifier> create_torch_classifier(const std::string& family, const nlohmann::json& params,
                                                    std::uint64_t seed, int threads);

// The module's one entry point (C linkage, found with dlsym): a new
// classifier of `family`, owned by the caller; errors are thrown as
// heartwave's typed errors.
using TorchFactory = Classifier* (*)(const std::string& family, const nlohmann::json& params, std::uint64_t seed, int threads);
inline constexpr const char* kTorchFactorySymbol = "heartwave_torch_create";

}  // namespace heartwave
