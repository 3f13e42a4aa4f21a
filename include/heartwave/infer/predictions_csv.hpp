// predict's CSV of beats: one line per beat, record, R sample, reference
// label (empty when unknown), predicted class, then the 5 probabilities.
// eval/compare.hpp reads it back.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace heartwave {

inline constexpr const char* kPredictionHeader = "record,r_sample,label,predicted,p_N,p_S,p_V,p_F,p_Q\n";

// Appends one line; `label` is empty when the truth is unknown, and the R
// sample when `r_sample` is negative (beats given without times).
void append_prediction(std::string& out, const std::string& record, std::int64_t r_sample, std::string_view label,
                       int predicted, const float* p);

}  // namespace heartwave
