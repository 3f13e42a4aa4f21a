// XGBoost model reader of our tree evaluator: parse or throw a
// heartwave::Error; a forest that parses evaluates any row of its width
// without reading out of bounds, and its probabilities sum to one.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "heartwave/core/error.hpp"
#include "tree_forest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto f = heartwave::TreeForest::from_ubjson({data, size});
    const std::size_t width = f.min_row_width() == 0 ? 1 : f.min_row_width();
    if (width > 4096) return 0;
    std::vector<float> rows(2 * width);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.5f;
    rows[width] = NAN;  // a missing value in the second row
    const auto p = f.predict_proba(rows, 2, width, 1);
    if (p.size() != 2 * static_cast<std::size_t>(f.num_class())) __builtin_trap();
    for (int r = 0; r < 2; ++r) {
      double sum = 0;
      bool finite = true;
      for (int c = 0; c < f.num_class(); ++c) {
        const float v = p[static_cast<std::size_t>(r * f.num_class() + c)];
        finite = finite && std::isfinite(v);
        sum += v;
      }
      if (finite && std::abs(sum - 1.0) > 1e-3) __builtin_trap();
    }
  } catch (const heartwave::Error&) {
  }
  return 0;
}
