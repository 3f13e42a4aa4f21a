// The rhythm step over rows of several records (decision/rhythm_step.hpp):
// each record's rows and statistics, computed once, and the decisions of a
// step on them. What step_decisions does, exposed so that a search over many
// steps (train/fit_rhythm_step.hpp) computes the statistics only once.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "heartwave/decision/rhythm_step.hpp"

namespace heartwave {

// A p_wave threshold that no measure is below: no AF gate.
inline constexpr double kNoAfGate = -2;

struct RecordData {
  std::vector<std::size_t> rows;  // the record's rows, in r_sample order
  RhythmStats stats;
};

// Rows grouped by record (record -1, SMOTE rows, left out) with the
// statistics `shape` needs (its window, minimum count, intervals and P-wave
// measure). InvalidArgument as step_decisions.
std::vector<RecordData> per_record(std::span<const std::int32_t> predicted, std::span<const std::int32_t> record,
                                   std::span<const std::int64_t> r_sample, std::span<const float> p_wave, double fs,
                                   const RhythmStep& shape, std::span<const float> p_regions);
// The decisions of `step` on those records (rows of no record unchanged).
std::vector<std::int32_t> gated(std::span<const std::int32_t> predicted, const std::vector<RecordData>& recs, const RhythmStep& step);
// Whether beat k's window is gated as AF (NaN irregularity: no verdict).
bool in_af(const RhythmStep& step, const RhythmStats& st, std::size_t k);

}  // namespace heartwave
