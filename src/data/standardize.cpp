#include "heartwave/data/standardize.hpp"

#include <cmath>

#include "heartwave/core/error.hpp"

namespace heartwave {

Standardizer Standardizer::fit(std::span<const float> X, std::size_t dim, std::span<const bool> use) {
  if (dim == 0 || X.size() % dim) throw InvalidArgument("Standardizer::fit: X is not a whole number of rows");
  const std::size_t n = X.size() / dim;
  if (!use.empty() && use.size() != n) throw InvalidArgument("Standardizer::fit: mask length differs from row count");
  Standardizer s;
  s.mean.assign(dim, 0.0);
  s.scale.assign(dim, 0.0);
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!use.empty() && !use[i]) continue;
    ++count;
    const float* r = X.data() + i * dim;
    for (std::size_t c = 0; c < dim; ++c) s.mean[c] += r[c];
  }
  if (count == 0) throw InvalidArgument("Standardizer::fit: no rows to fit on");
  for (auto& m : s.mean) m /= static_cast<double>(count);
  for (std::size_t i = 0; i < n; ++i) {
    if (!use.empty() && !use[i]) continue;
    const float* r = X.data() + i * dim;
    for (std::size_t c = 0; c < dim; ++c) {
      const double d = r[c] - s.mean[c];
      s.scale[c] += d * d;
    }
  }
  for (auto& v : s.scale) {
    v = std::sqrt(v / static_cast<double>(count));
    if (!(v > 0.0)) v = 1.0;
  }
  return s;
}

void Standardizer::apply(std::span<float> X) const {
  const std::size_t d = dim();
  if (d == 0 || X.size() % d) throw InvalidArgument("Standardizer::apply: X is not a whole number of rows");
  std::vector<float> m(mean.begin(), mean.end()), inv(d);
  for (std::size_t c = 0; c < d; ++c) inv[c] = static_cast<float>(1.0 / scale[c]);
  for (std::size_t i = 0; i < X.size(); i += d)
    for (std::size_t c = 0; c < d; ++c) X[i + c] = (X[i + c] - m[c]) * inv[c];
}

}  // namespace heartwave
