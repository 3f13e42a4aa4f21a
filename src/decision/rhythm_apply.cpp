#include "heartwave/decision/rhythm_records.hpp"
#include "heartwave/decision/rhythm_step.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/core/json_checks.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/beats/rr.hpp"

namespace heartwave {

namespace {
constexpr std::int32_t kN = 0, kS = 1, kV = 2;
}  // namespace

// Whether beat k's window is gated (NaN irregularity: no verdict).
bool in_af(const RhythmStep& gate, const RhythmStats& st, std::size_t k) {
  const double p = gate.p_measure == PMeasure::coherence ? st.p_coherence[k] : st.p_wave[k];
  return st.irregularity[k] > gate.irregularity && p < gate.p_wave;  // NaN: no verdict
}

namespace {

// The rhythm step's decision at beat k of a record with these statistics:
// a premature N becomes S, then an S inside a gated window becomes N.
std::int32_t rhythm_decision(const RhythmStep& gate, const RhythmStats& st, std::size_t k, std::int32_t d) {
  if (!gate.enabled) return d;
  const bool af = in_af(gate, st, k);
  if (d == kN && st.pre_ratio[k] < gate.premature) return af && gate.premature_gated ? kN : kS;
  return d == kS && af ? kN : d;
}

// One pass of the record adaptation (see the header), in place on one
// record's decisions after the per-beat step: `at(k)` is the decision of
// beat k. Returns whether any decision changed.
template <class At>
bool adapt_pass(const RhythmStep& gate, const RhythmStats& st, std::size_t n, At&& at) {
  constexpr std::size_t kMaxF = 3;
  const std::size_t kF = gate.adapt_third == AdaptInput::none ? 2 : 3;
  const auto x = [&](std::size_t k, std::size_t f) {
    if (f == 0) return st.pre_local_ratio[k];
    if (f == 1) return st.pre_ratio[k];
    return gate.adapt_third == AdaptInput::rr_post_local ? st.post_local_ratio[k] : st.beat_p_wave[k];
  };
  std::array<double, 2> count{};
  std::array<std::array<double, kMaxF>, 2> mean{};
  for (std::size_t k = 0; k < n; ++k)
    if (const std::int32_t d = at(k); d == kN || d == kS) {
      count[static_cast<std::size_t>(d)] += 1;
      for (std::size_t f = 0; f < kF; ++f) mean[static_cast<std::size_t>(d)][f] += x(k, f);
    }
  const auto need = static_cast<double>(gate.adapt_min_beats);
  if (count[kN] < need || count[kS] < need) return false;
  for (std::size_t c = 0; c < 2; ++c)
    for (auto& m : mean[c]) m /= count[c];
  std::array<double, kMaxF> var{};
  for (std::size_t k = 0; k < n; ++k)
    if (const std::int32_t d = at(k); d == kN || d == kS)
      for (std::size_t f = 0; f < kF; ++f) var[f] += std::pow(x(k, f) - mean[static_cast<std::size_t>(d)][f], 2);
  for (auto& v : var) v = v / (count[kN] + count[kS] - 2) + 1e-12;
  const double prior = gate.adapt_equal_priors ? 0.0 : std::log(count[kS]) - std::log(count[kN]);
  const auto says_s = [&](std::size_t k) {
    double score = prior;  // log posterior odds of S
    for (std::size_t f = 0; f < kF; ++f)
      score += 0.5 * (std::pow(x(k, f) - mean[kN][f], 2) - std::pow(x(k, f) - mean[kS][f], 2)) / var[f];
    return score > 0;
  };
  // Scored first, changed after: every beat is judged by the same fit.
  std::vector<std::int32_t> next(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::int32_t d = at(k);
    next[k] = d;
    if (d == kN && !(gate.premature_gated && in_af(gate, st, k)) && says_s(k)) next[k] = kS;
    else if (d == kS && gate.adapt_take_back && !says_s(k)) next[k] = kN;
  }
  bool changed = false;
  for (std::size_t k = 0; k < n; ++k) {
    changed = changed || at(k) != next[k];
    at(k) = next[k];
  }
  return changed;
}

// The record adaptation: up to adapt_passes passes, each refitted on the
// decisions the one before left, until one changes nothing.
template <class At>
void adapt_record(const RhythmStep& gate, const RhythmStats& st, std::size_t n, At&& at) {
  if (!gate.enabled || gate.adapt_min_beats <= 0) return;
  for (int pass = 0; pass < gate.adapt_passes; ++pass)
    if (!adapt_pass(gate, st, n, at)) return;
}

void check_lengths(std::size_t n, std::span<const std::int32_t> record, std::span<const std::int64_t> r_sample,
                   std::span<const float> p_wave, std::span<const float> p_regions, const RhythmStep& shape) {
  if (record.size() != n || r_sample.size() != n || p_wave.size() != n)
    throw InvalidArgument("rhythm step: predicted, record, r_sample and p_wave differ in length");
  if (!p_regions.empty() && p_regions.size() != n * kPRegionLength)
    throw InvalidArgument("rhythm step: p_regions holds " + std::to_string(p_regions.size()) + " values, not " +
                          std::to_string(kPRegionLength) + " per beat");
  if (shape.p_measure == PMeasure::coherence && p_regions.empty())
    throw InvalidArgument("rhythm step: the P-wave coherence needs the beats' P-wave regions (their samples)");
}


}  // namespace

void apply_rhythm_step(std::span<std::int32_t> predicted, const RhythmStats& stats, const RhythmStep& gate) {
  if (stats.irregularity.size() != predicted.size() || stats.p_wave.size() != predicted.size() ||
      stats.pre_ratio.size() != predicted.size() || stats.pre_local_ratio.size() != predicted.size() ||
      stats.post_local_ratio.size() != predicted.size() || stats.beat_p_wave.size() != predicted.size())
    throw InvalidArgument("apply_rhythm_step: statistics for another number of beats");
  if (gate.enabled && gate.p_measure == PMeasure::coherence && stats.p_coherence.size() != predicted.size())
    throw InvalidArgument("apply_rhythm_step: the gate measures P-wave coherence and the statistics hold none");
  for (std::size_t i = 0; i < predicted.size(); ++i) predicted[i] = rhythm_decision(gate, stats, i, predicted[i]);
  adapt_record(gate, stats, predicted.size(), [&](std::size_t k) -> std::int32_t& { return predicted[k]; });
}

namespace {

// Rows of each record, in r_sample order.
std::vector<std::vector<std::size_t>> record_rows(std::span<const std::int32_t> record, std::span<const std::int64_t> r_sample) {
  std::map<std::int32_t, std::vector<std::size_t>> by;
  for (std::size_t i = 0; i < record.size(); ++i)
    if (record[i] >= 0) by[record[i]].push_back(i);  // SMOTE rows (-1) belong to no record
  std::vector<std::vector<std::size_t>> out;
  for (auto& [rec, rows] : by) {
    std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return r_sample[a] < r_sample[b]; });
    for (std::size_t k = 1; k < rows.size(); ++k)
      if (r_sample[rows[k]] == r_sample[rows[k - 1]])
        throw InvalidArgument("rhythm step: record " + std::to_string(rec) + " lists r_sample " + std::to_string(r_sample[rows[k]]) + " twice");
    out.push_back(std::move(rows));
  }
  return out;
}

}  // namespace

std::vector<RecordData> per_record(std::span<const std::int32_t> predicted, std::span<const std::int32_t> record,
                                   std::span<const std::int64_t> r_sample, std::span<const float> p_wave, double fs,
                                   const RhythmStep& shape, std::span<const float> p_regions) {
  check_lengths(predicted.size(), record, r_sample, p_wave, p_regions, shape);
  // Regions only where the gate measures coherence (they cost a pass over the samples).
  const bool coherence = shape.p_measure == PMeasure::coherence;
  std::vector<RecordData> out;
  for (auto& rows : record_rows(record, r_sample)) {
    std::vector<std::int64_t> t;
    std::vector<std::int32_t> p;
    std::vector<float> w, regions;
    for (std::size_t i : rows) {
      t.push_back(r_sample[i]);
      p.push_back(predicted[i]);
      w.push_back(p_wave[i]);
      if (coherence) regions.insert(regions.end(), p_regions.begin() + static_cast<std::ptrdiff_t>(i * kPRegionLength),
                                    p_regions.begin() + static_cast<std::ptrdiff_t>((i + 1) * kPRegionLength));
    }
    out.push_back({std::move(rows), rhythm_stats(t, p, w, fs, shape.half_window, shape.min_differences, shape.irregularity_n_only, regions)});
  }
  return out;
}

std::vector<std::int32_t> gated(std::span<const std::int32_t> predicted, const std::vector<RecordData>& recs, const RhythmStep& gate) {
  std::vector<std::int32_t> out(predicted.begin(), predicted.end());
  if (!gate.enabled) return out;
  for (const auto& r : recs) {
    for (std::size_t k = 0; k < r.rows.size(); ++k) out[r.rows[k]] = rhythm_decision(gate, r.stats, k, out[r.rows[k]]);
    adapt_record(gate, r.stats, r.rows.size(), [&](std::size_t k) -> std::int32_t& { return out[r.rows[k]]; });
  }
  return out;
}


std::vector<std::int32_t> step_decisions(std::span<const std::int32_t> predicted, std::span<const std::int32_t> record,
                                         std::span<const std::int64_t> r_sample, std::span<const float> p_wave, double fs,
                                         const RhythmStep& gate, std::span<const float> p_regions) {
  if (!gate.enabled) {
    check_lengths(predicted.size(), record, r_sample, p_wave, p_regions, RhythmStep{});
    return {predicted.begin(), predicted.end()};
  }
  return gated(predicted, per_record(predicted, record, r_sample, p_wave, fs, gate, p_regions), gate);
}

std::vector<std::uint8_t> gate_verdicts(std::span<const std::int32_t> predicted, std::span<const std::int32_t> record,
                                        std::span<const std::int64_t> r_sample, std::span<const float> p_wave, double fs,
                                        const RhythmStep& gate, std::span<const float> p_regions) {
  std::vector<std::uint8_t> out(predicted.size(), 0);
  if (!gate.enabled) {
    check_lengths(predicted.size(), record, r_sample, p_wave, p_regions, RhythmStep{});
    return out;
  }
  for (const auto& r : per_record(predicted, record, r_sample, p_wave, fs, gate, p_regions))
    for (std::size_t k = 0; k < r.rows.size(); ++k) out[r.rows[k]] = in_af(gate, r.stats, k) ? 1 : 0;
  return out;
}

}  // namespace heartwave
