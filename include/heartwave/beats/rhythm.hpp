// Rhythm annotations: MIT-BIH marks each change of rhythm with a RHYTHM
// annotation (code 28) whose AUX string names the new rhythm, e.g. "(N",
// "(AFIB", "(AFL", "(SVTA". Used to keep atrial fibrillation and flutter
// beats out of fitting (their irregular rhythm teaches a beat classifier to
// call premature beats N); never an input at inference.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "heartwave/io/wfdb_annotation.hpp"

namespace heartwave {

inline constexpr int kRhythmCode = 28;

// The rhythm in force at each of `times` (any order): the AUX text of the
// last rhythm annotation at or before it, trailing NULs removed; "" before
// the first one.
std::vector<std::string> rhythm_at(std::span<const Annotation> annotations, std::span<const std::int64_t> times);

// "(AFIB" and "(AFL".
bool is_atrial_fibrillation_or_flutter(std::string_view rhythm) noexcept;

}  // namespace heartwave
