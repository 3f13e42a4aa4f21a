#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "heartwave/core/error.hpp"
#include "torch_families.hpp"

namespace heartwave {
namespace {

constexpr const char* kModuleName = "libheartwave_torch.so";

// Where the module may be: $HEARTWAVE_TORCH_MODULE, beside the running
// program, then where the build wrote it.
std::vector<std::string> candidates() {
  std::vector<std::string> c;
  if (const char* env = std::getenv("HEARTWAVE_TORCH_MODULE"); env && *env) c.emplace_back(env);
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) c.push_back((exe.parent_path() / kModuleName).string());
  if (*HEARTWAVE_TORCH_MODULE) c.emplace_back(HEARTWAVE_TORCH_MODULE);
  return c;
}

TorchFactory load_factory() {
  std::string tried;
  for (const auto& path : candidates()) {
    if (!std::filesystem::exists(path)) {
      tried += "\n  " + path + ": not found";
      continue;
    }
    // RTLD_GLOBAL: LibTorch's OpenBLAS and OpenMP thread controls are then
    // reachable by name, as when LibTorch was linked into the program.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
      tried += "\n  " + path + ": " + dlerror();
      continue;
    }
    if (auto* f = reinterpret_cast<TorchFactory>(dlsym(handle, kTorchFactorySymbol))) return f;
    tried += "\n  " + path + ": no symbol " + kTorchFactorySymbol;
  }
  throw UnsupportedError(std::string("the LibTorch families (cnn-mlp, convxgb) need ") + kModuleName +
                         ", built with -DHEARTWAVE_BUILD_TORCH=ON; tried:" + (tried.empty() ? " nothing" : tried));
}

}  // namespace

std::unique_ptr<Classifier> create_torch_classifier(const std::string& family, const nlohmann::json& params,
                                                    std::uint64_t seed, int threads) {
  static std::once_flag once;
  static TorchFactory factory = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    try {
      factory = load_factory();
    } catch (const UnsupportedError& e) {
      failure = e.what();
    }
  });
  if (!factory) throw UnsupportedError(failure);
  return std::unique_ptr<Classifier>(factory(family, params, seed, threads));
}

}  // namespace heartwave
