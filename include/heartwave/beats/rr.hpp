// RR-interval features of a beat, from the record's whole beat sequence.
// All in seconds except the ratios.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace heartwave {

inline constexpr std::size_t kNumRRFeatures = 8;
inline constexpr int kLocalRRBeats = 10;

// pre, post, local mean (the 10 RR intervals ending at the beat), record mean,
// pre/local, post/local, pre/record, post/record.
using RRFeatures = std::array<double, kNumRRFeatures>;
inline constexpr std::size_t kRRPreOverLocal = 4;   // pre / local mean: how premature against the last beats
inline constexpr std::size_t kRRPostOverLocal = 5;  // post / local mean: the pause after it
inline constexpr std::size_t kRRPreOverRecord = 6;  // pre / record mean: how premature the beat is

// For each time in `at` (sample numbers), the RR features relative to the
// sorted beat times `beats` at sampling rate fs. The first beat's missing
// pre-RR and the last beat's missing post-RR fall back to the other one (or
// the record mean when the record holds a single beat).
std::vector<RRFeatures> rr_features(std::span<const std::int64_t> beats, std::span<const std::int64_t> at,
                                    double fs);

}  // namespace heartwave
