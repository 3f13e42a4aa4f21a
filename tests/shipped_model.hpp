// The shipped default model and its beat pipeline, loaded once per test
// binary (for tests that link heartwave_infer).
#pragma once
#include <filesystem>

#include "heartwave/infer/beat_pipeline.hpp"
#include "heartwave/models/bundle.hpp"

namespace heartwave::test {

struct Shipped {
  ModelBundle bundle = load_bundle(std::filesystem::path(HEARTWAVE_SOURCE_DIR) / "models" / "default.hwm", 2);
  BeatPipeline pipe{bundle.meta, *bundle.model};
};

inline const Shipped& shipped() {
  static const Shipped s;
  return s;
}

}  // namespace heartwave::test
