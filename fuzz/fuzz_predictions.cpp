// Predictions CSV reader and the comparison built on it: any bytes are read
// or rejected with a heartwave::Error; accepted rows compare with themselves
// to no difference, and selecting between them and themselves keeps the
// first everywhere with the same figures.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "heartwave/eval/compare.hpp"
#include "heartwave/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto rows = heartwave::parse_predictions_csv({reinterpret_cast<const char*>(data), size}, "fuzz.csv");
    if (rows.r_sample.size() != rows.size() || rows.truth.size() != rows.size() || rows.predicted.size() != rows.size())
      __builtin_trap();
    const auto j = heartwave::compare_predictions(rows, rows, {100, 1});
    if (j["figures"]["f1_macro"]["difference"].get<double>() != 0.0) __builtin_trap();
    heartwave::PredictionRows nested;
    const auto sel = heartwave::select_nested({rows, rows}, {"a", "b"}, "f1_macro", &nested);
    if (sel["candidates"][1]["chosen_for"].get<std::size_t>() != 0 || nested.predicted != rows.predicted ||
        sel["nested"]["figures"] != sel["candidates"][0]["figures"])
      __builtin_trap();
  } catch (const heartwave::Error&) {
  }
  return 0;
}
