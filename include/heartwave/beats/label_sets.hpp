// Mapping WFDB beat annotations to 5 classes.
//
//   seed  the original Python project's mapping, kept for comparability:
//         0 = N . L R e j   1 = A a J S   2 = V E   3 = F   4 = / f x Q | ~
//         ("." is never stored in a file; x, | and ~ are not beats, but the
//         original counted them as class 4, so this set does too)
//   aami  the ANSI/AAMI EC57 classes, beat annotations only:
//         N = N L R e j   S = A a J S   V = V E   F = F   Q = / f Q
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace heartwave {

enum class LabelSet { seed, aami };
inline constexpr int kNumClasses = 5;

LabelSet parse_label_set(std::string_view name);  // "seed" or "aami"
std::string_view to_string(LabelSet set) noexcept;

// Class index (0..4) of an annotation code, or nullopt when the code is not a
// sample in this label set.
std::optional<int> class_of(LabelSet set, int code) noexcept;
// Class names: "N", "S", "V", "F", "Q".
std::string_view class_name(int cls) noexcept;
// The mnemonics mapped to a class, e.g. "N L R e j".
std::string class_members(LabelSet set, int cls);

}  // namespace heartwave
