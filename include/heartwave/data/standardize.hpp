// Per-column standardisation (z = (x - mean) / scale), fitted on training rows
// only and stored with the dataset so inference applies the same transform.
#pragma once
#include <span>
#include <vector>

namespace heartwave {

struct Standardizer {
  std::vector<double> mean;
  std::vector<double> scale;  // population std; 1 where a column is constant

  // Fits on the rows whose `use` flag is set (all rows when `use` is empty).
  static Standardizer fit(std::span<const float> X, std::size_t dim, std::span<const bool> use = {});
  void apply(std::span<float> X) const;  // in place; X.size() a multiple of dim
  std::size_t dim() const { return mean.size(); }
};

}  // namespace heartwave
