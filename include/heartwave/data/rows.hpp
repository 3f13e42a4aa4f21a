// Rows of a dataset in memory: what a model reads and is fitted on.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace heartwave {

// Which columns a model reads: base (187 samples), feat (samples + 44
// features) or feat_only (52 features).
enum class View { base, feat, feat_only };
View parse_view(const std::string& name);
std::string to_string(View v);

struct Rows {
  std::size_t n = 0, dim = 0;
  std::vector<float> X;             // n x dim, row-major
  std::vector<std::int32_t> y;      // class index
  std::vector<std::int32_t> record; // -1 for SMOTE rows
  std::vector<std::int64_t> r_sample;  // -1 for SMOTE rows
  std::vector<std::int32_t> fold;   // inter-patient train only; else empty
  std::vector<std::int32_t> rhythm; // 1 inside annotated AF/flutter, 0 not, -1 SMOTE (inter-patient train only; else empty)
};

}  // namespace heartwave
