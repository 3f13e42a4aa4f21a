// SMOTE (Chawla et al., JAIR 2002): synthetic minority rows interpolated
// between a row and one of its k nearest neighbours of the same class.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace heartwave {

struct SmoteOptions {
  std::map<int, std::size_t> targets;  // class -> total rows wanted (existing + synthetic)
  int k = 5;
  std::uint64_t seed = 42;
  int threads = 2;
};

struct SmoteResult {
  std::vector<float> rows;            // synthetic rows only, row-major (n x dim)
  std::vector<int> labels;
  std::vector<std::int64_t> parent;   // the row each synthetic row starts from
  std::vector<std::int64_t> neighbour;
};

// X: n x dim row-major. Classes already at or above their target, and classes
// with no rows at all, get nothing. Throws InvalidArgument when a class has
// some rows but fewer than k + 1.
SmoteResult smote(std::span<const float> X, std::size_t dim, std::span<const int> labels, const SmoteOptions& options);

}  // namespace heartwave
