#include "heartwave/rhythm_gate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "heartwave/error.hpp"
#include "heartwave/features.hpp"
#include "heartwave/json_checks.hpp"
#include "heartwave/metrics.hpp"
#include "heartwave/rr.hpp"

namespace heartwave {

namespace {

constexpr std::int32_t kN = 0, kS = 1, kV = 2;
constexpr double kNoAfGate = -2;  // a p_wave threshold no correlation is below

// Whether beat k's window is gated (NaN irregularity: no verdict).
bool in_af(const RhythmGate& gate, const RhythmStats& st, std::size_t k) {
  const double p = gate.p_measure == PMeasure::coherence ? st.p_coherence[k] : st.p_wave[k];
  return st.irregularity[k] > gate.irregularity && p < gate.p_wave;  // NaN: no verdict
}

// The rhythm step's decision at beat k of a record with these statistics:
// a premature N becomes S, then an S inside a gated window becomes N.
std::int32_t rhythm_decision(const RhythmGate& gate, const RhythmStats& st, std::size_t k, std::int32_t d) {
  if (!gate.enabled) return d;
  const bool af = in_af(gate, st, k);
  if (d == kN && st.pre_ratio[k] < gate.premature) return af && gate.premature_gated ? kN : kS;
  return d == kS && af ? kN : d;
}

// One pass of the record adaptation (see the header), in place on one
// record's decisions after the per-beat step: `at(k)` is the decision of
// beat k. Returns whether any decision changed.
template <class At>
bool adapt_pass(const RhythmGate& gate, const RhythmStats& st, std::size_t n, At&& at) {
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
void adapt_record(const RhythmGate& gate, const RhythmStats& st, std::size_t n, At&& at) {
  if (!gate.enabled || gate.adapt_min_beats <= 0) return;
  for (int pass = 0; pass < gate.adapt_passes; ++pass)
    if (!adapt_pass(gate, st, n, at)) return;
}

void check_lengths(std::size_t n, std::span<const std::int32_t> record, std::span<const std::int64_t> r_sample,
                   std::span<const float> p_wave, std::span<const float> p_regions, const RhythmGate& shape) {
  if (record.size() != n || r_sample.size() != n || p_wave.size() != n)
    throw InvalidArgument("rhythm gate: predicted, record, r_sample and p_wave differ in length");
  if (!p_regions.empty() && p_regions.size() != n * kPRegionLength)
    throw InvalidArgument("rhythm gate: p_regions holds " + std::to_string(p_regions.size()) + " values, not " +
                          std::to_string(kPRegionLength) + " per beat");
  if (shape.p_measure == PMeasure::coherence && p_regions.empty())
    throw InvalidArgument("rhythm gate: the P-wave coherence needs the beats' P-wave regions (their samples)");
}

// The upper median (v[n/2] of the sorted values); v is reordered.
double upper_median(std::vector<double>& v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

}  // namespace

namespace {

constexpr const char* kPWaveFeature = "tpl_corr_p";

std::size_t column_of(const std::vector<std::string>& names, const std::string& where) {
  const auto it = std::find(names.begin(), names.end(), kPWaveFeature);
  if (it == names.end()) throw FormatError(where + ": no " + kPWaveFeature + " feature (the rhythm gate needs it)");
  return static_cast<std::size_t>(it - names.begin());
}

}  // namespace

std::vector<float> p_wave_from_rows(const Rows& rows, const nlohmann::json& manifest) {
  const auto names = manifest.at("schema").at("feature_names").get<std::vector<std::string>>();
  const std::size_t c = column_of(names, "dataset schema");
  // feat_only rows are the features; feat rows are the samples then the features.
  const std::size_t feat_dim = manifest.at("schema").at("feat").at("columns").get<std::size_t>();
  if (rows.dim != names.size() && rows.dim != feat_dim)
    throw InvalidArgument("p_wave_from_rows: expected the feat_only (" + std::to_string(names.size()) + ") or feat (" +
                          std::to_string(feat_dim) + ") view's columns, got " + std::to_string(rows.dim));
  const std::size_t col = rows.dim - names.size() + c;
  const auto& st = manifest.at("preprocessing").at("standardize").at("features");
  const double mean = st.at("mean").at(c).get<double>(), scale = st.at("scale").at(c).get<double>();
  std::vector<float> out(rows.n);
  for (std::size_t i = 0; i < rows.n; ++i) out[i] = static_cast<float>(rows.X[i * rows.dim + col] * scale + mean);
  return out;
}

std::vector<float> p_regions_from_windows(std::span<const float> windows, std::size_t window_length, int r_index) {
  if (window_length == 0 || windows.size() % window_length)
    throw InvalidArgument("p_regions_from_windows: windows of " + std::to_string(window_length) + " samples do not divide " +
                          std::to_string(windows.size()) + " values");
  const long from = static_cast<long>(r_index) + kPRegionBegin, to = static_cast<long>(r_index) + kPRegionEnd;
  if (from < 0 || to > static_cast<long>(window_length))
    throw InvalidArgument("p_regions_from_windows: the P region (R" + std::to_string(kPRegionBegin) + "..R" + std::to_string(kPRegionEnd) +
                          ") does not fit a window of " + std::to_string(window_length) + " samples with R at " + std::to_string(r_index));
  const std::size_t n = windows.size() / window_length;
  std::vector<float> out(n * kPRegionLength);
  for (std::size_t i = 0; i < n; ++i)
    std::copy_n(windows.begin() + static_cast<std::ptrdiff_t>(i * window_length + static_cast<std::size_t>(from)), kPRegionLength,
                out.begin() + static_cast<std::ptrdiff_t>(i * kPRegionLength));
  return out;
}

std::vector<float> p_regions_from_rows(const Rows& rows, const nlohmann::json& manifest) {
  // What it reads of the manifest, checked first: a FormatError names the field.
  std::size_t W = 0, feat_dim = 0;
  std::vector<double> mean, scale;
  int r_index = 0;
  const char* field = "schema.base.columns";
  try {
    W = manifest.at("schema").at("base").at("columns").get<std::size_t>();
    field = "schema.feat.columns";
    feat_dim = manifest.at("schema").at("feat").at("columns").get<std::size_t>();
    field = "preprocessing.standardize.base";
    const auto& st = manifest.at("preprocessing").at("standardize").at("base");
    mean = st.at("mean").get<std::vector<double>>();
    scale = st.at("scale").get<std::vector<double>>();
    field = "preprocessing.window.before";
    r_index = manifest.at("preprocessing").at("window").at("before").get<int>();
  } catch (const nlohmann::json::exception&) {
    throw FormatError(std::string("dataset manifest: '") + field + "' is missing or not what the P-wave coherence needs");
  }
  if (mean.size() != W || scale.size() != W)
    throw FormatError("dataset manifest: 'preprocessing.standardize.base' is not " + std::to_string(W) + " columns");
  if (rows.dim != W && rows.dim != feat_dim)
    throw InvalidArgument("p_regions_from_rows: expected the base (" + std::to_string(W) + ") or feat (" + std::to_string(feat_dim) +
                          ") view's columns, got " + std::to_string(rows.dim));
  std::vector<float> windows(rows.n * W);  // the filtered samples, as the pipeline has them before standardising
  for (std::size_t i = 0; i < rows.n; ++i)
    for (std::size_t c = 0; c < W; ++c)
      windows[i * W + c] = static_cast<float>(rows.X[i * rows.dim + c] * scale[c] + mean[c]);
  return p_regions_from_windows(windows, W, r_index);
}

std::vector<float> p_wave_from_features(std::span<const float> features, std::size_t num_features) {
  const std::size_t c = column_of(feature_names(), "feature schema");  // every schema starts with these
  if (num_features < kNumFeatures || features.size() % num_features)
    throw InvalidArgument("p_wave_from_features: rows of " + std::to_string(num_features) + " features (at least " +
                          std::to_string(kNumFeatures) + ") do not divide " + std::to_string(features.size()) + " values");
  std::vector<float> out(features.size() / num_features);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = features[i * num_features + c];
  return out;
}

namespace {

// The window P-wave coherence (see the header) for every beat: prefix sums
// over the beats of their detrended regions and energies, so each window
// costs kPRegionLength operations whatever its width.
std::vector<double> p_coherence(std::span<const float> p_regions, std::span<const std::int32_t> predicted, std::size_t h,
                                std::size_t min_beats) {
  const std::size_t n = predicted.size(), L = kPRegionLength;
  std::vector<double> out(n, std::numeric_limits<double>::quiet_NaN());
  if (p_regions.empty()) return out;
  // Centred sample index, for the linear trend.
  std::array<double, kPRegionLength> t{};
  double tt = 0;
  for (std::size_t j = 0; j < L; ++j) {
    t[j] = static_cast<double>(j) - static_cast<double>(L - 1) / 2;
    tt += t[j] * t[j];
  }
  std::vector<double> sum((n + 1) * L, 0.0), energy(n + 1, 0.0), count(n + 1, 0.0);
  std::array<double, kPRegionLength> x{};
  for (std::size_t i = 0; i < n; ++i) {
    const float* r = p_regions.data() + i * L;
    bool usable = predicted[i] != kV;
    double mean = 0, slope = 0;
    for (std::size_t j = 0; j < L && usable; ++j) {
      usable = std::isfinite(r[j]);
      mean += r[j];
      slope += t[j] * r[j];
    }
    double e = 0;
    if (usable) {
      mean /= static_cast<double>(L);
      slope /= tt;
      for (std::size_t j = 0; j < L; ++j) {
        x[j] = r[j] - mean - slope * t[j];
        e += x[j] * x[j];
      }
    }
    for (std::size_t j = 0; j < L; ++j) sum[(i + 1) * L + j] = sum[i * L + j] + (usable ? x[j] : 0.0);
    energy[i + 1] = energy[i] + e;
    count[i + 1] = count[i] + (usable ? 1.0 : 0.0);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t lo = i > h ? i - h : 0, hi = std::min(n - 1, i + h);
    const double m = count[hi + 1] - count[lo];
    if (m < static_cast<double>(std::max<std::size_t>(min_beats, 2))) continue;
    const double mean_energy = (energy[hi + 1] - energy[lo]) / m;
    if (!(mean_energy > 0)) continue;  // flat regions: no verdict
    double avg_energy = 0;
    for (std::size_t j = 0; j < L; ++j) {
      const double a = (sum[(hi + 1) * L + j] - sum[lo * L + j]) / m;
      avg_energy += a * a;
    }
    out[i] = std::clamp(avg_energy / mean_energy, 0.0, 1.0);  // at most 1 but for rounding
  }
  return out;
}

}  // namespace

RhythmStats rhythm_stats(std::span<const std::int64_t> r_sample, std::span<const std::int32_t> predicted,
                         std::span<const float> p_wave, double fs, int half_window, int min_differences, bool n_only,
                         std::span<const float> p_regions) {
  const std::size_t n = r_sample.size();
  if (predicted.size() != n || p_wave.size() != n) throw InvalidArgument("rhythm_stats: r_sample, predicted and p_wave differ in length");
  if (!p_regions.empty() && p_regions.size() != n * kPRegionLength)
    throw InvalidArgument("rhythm_stats: p_regions must hold " + std::to_string(kPRegionLength) + " values per beat");
  if (!(fs > 0) || half_window < 1 || min_differences < 1) throw InvalidArgument("rhythm_stats: fs, half_window and min_differences must be positive");
  for (std::size_t i = 1; i < n; ++i)
    if (r_sample[i] <= r_sample[i - 1]) throw InvalidArgument("rhythm_stats: r_sample must increase strictly");
  RhythmStats s;
  s.irregularity.assign(n, std::numeric_limits<double>::quiet_NaN());
  s.p_wave.assign(n, 0.0);
  // The rr_pre_record feature, from the same function the features come from.
  s.pre_ratio.reserve(n);
  s.pre_local_ratio.reserve(n);
  s.post_local_ratio.reserve(n);
  for (const auto& rr : rr_features(r_sample, r_sample, fs)) {
    s.pre_ratio.push_back(rr[kRRPreOverRecord]);
    s.pre_local_ratio.push_back(rr[kRRPreOverLocal]);
    s.post_local_ratio.push_back(rr[kRRPostOverLocal]);
  }
  s.beat_p_wave.assign(p_wave.begin(), p_wave.end());
  const auto h = static_cast<std::size_t>(half_window);
  std::vector<double> rr, diffs, pw;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t lo = i > h ? i - h : 0, hi = std::min(n - 1, i + h);
    // Interval j ends at beat j; usable when neither end is called V (with
    // n_only: when both ends are called N).
    rr.clear();
    diffs.clear();
    double prev = -1;
    for (std::size_t j = lo + 1; j <= hi; ++j) {
      const bool usable = n_only ? predicted[j] == kN && predicted[j - 1] == kN : predicted[j] != kV && predicted[j - 1] != kV;
      const double v = usable ? static_cast<double>(r_sample[j] - r_sample[j - 1]) / fs : -1;
      if (usable) {
        rr.push_back(v);
        if (prev >= 0) diffs.push_back(std::abs(v - prev));
      }
      prev = v;
    }
    if (diffs.size() >= static_cast<std::size_t>(min_differences)) {
      const double d = upper_median(diffs), m = upper_median(rr);
      s.irregularity[i] = d / m;
    }
    pw.assign(p_wave.begin() + static_cast<std::ptrdiff_t>(lo), p_wave.begin() + static_cast<std::ptrdiff_t>(hi) + 1);
    s.p_wave[i] = upper_median(pw);
  }
  s.p_coherence = p_coherence(p_regions, predicted, h, static_cast<std::size_t>(min_differences));
  return s;
}

void apply_rhythm_gate(std::span<std::int32_t> predicted, const RhythmStats& stats, const RhythmGate& gate) {
  if (stats.irregularity.size() != predicted.size() || stats.p_wave.size() != predicted.size() ||
      stats.pre_ratio.size() != predicted.size() || stats.pre_local_ratio.size() != predicted.size() ||
      stats.post_local_ratio.size() != predicted.size() || stats.beat_p_wave.size() != predicted.size())
    throw InvalidArgument("apply_rhythm_gate: statistics for another number of beats");
  if (gate.enabled && gate.p_measure == PMeasure::coherence && stats.p_coherence.size() != predicted.size())
    throw InvalidArgument("apply_rhythm_gate: the gate measures P-wave coherence and the statistics hold none");
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
        throw InvalidArgument("rhythm gate: record " + std::to_string(rec) + " lists r_sample " + std::to_string(r_sample[rows[k]]) + " twice");
    out.push_back(std::move(rows));
  }
  return out;
}

struct RecordData {
  std::vector<std::size_t> rows;
  RhythmStats stats;
};

std::vector<RecordData> per_record(std::span<const std::int32_t> predicted, std::span<const std::int32_t> record,
                                   std::span<const std::int64_t> r_sample, std::span<const float> p_wave, double fs,
                                   const RhythmGate& shape, std::span<const float> p_regions) {
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

std::vector<std::int32_t> gated(std::span<const std::int32_t> predicted, const std::vector<RecordData>& recs, const RhythmGate& gate) {
  std::vector<std::int32_t> out(predicted.begin(), predicted.end());
  if (!gate.enabled) return out;
  for (const auto& r : recs) {
    for (std::size_t k = 0; k < r.rows.size(); ++k) out[r.rows[k]] = rhythm_decision(gate, r.stats, k, out[r.rows[k]]);
    adapt_record(gate, r.stats, r.rows.size(), [&](std::size_t k) -> std::int32_t& { return out[r.rows[k]]; });
  }
  return out;
}

}  // namespace

std::vector<std::int32_t> gate_decisions(std::span<const std::int32_t> predicted, std::span<const std::int32_t> record,
                                         std::span<const std::int64_t> r_sample, std::span<const float> p_wave, double fs,
                                         const RhythmGate& gate, std::span<const float> p_regions) {
  if (!gate.enabled) {
    check_lengths(predicted.size(), record, r_sample, p_wave, p_regions, RhythmGate{});
    return {predicted.begin(), predicted.end()};
  }
  return gated(predicted, per_record(predicted, record, r_sample, p_wave, fs, gate, p_regions), gate);
}

std::vector<std::uint8_t> gate_verdicts(std::span<const std::int32_t> predicted, std::span<const std::int32_t> record,
                                        std::span<const std::int64_t> r_sample, std::span<const float> p_wave, double fs,
                                        const RhythmGate& gate, std::span<const float> p_regions) {
  std::vector<std::uint8_t> out(predicted.size(), 0);
  if (!gate.enabled) {
    check_lengths(predicted.size(), record, r_sample, p_wave, p_regions, RhythmGate{});
    return out;
  }
  for (const auto& r : per_record(predicted, record, r_sample, p_wave, fs, gate, p_regions))
    for (std::size_t k = 0; k < r.rows.size(); ++k) out[r.rows[k]] = in_af(gate, r.stats, k) ? 1 : 0;
  return out;
}

RhythmGateFit fit_rhythm_gate(std::span<const std::int32_t> predicted, std::span<const std::int32_t> truth,
                              std::span<const std::int32_t> record, std::span<const std::int64_t> r_sample,
                              std::span<const float> p_wave, double fs, std::span<const std::int32_t> fold,
                              const RhythmStepSearch& search, std::span<const float> p_regions,
                              std::span<const std::int32_t> rhythm) {
  if (truth.size() != predicted.size()) throw InvalidArgument("fit_rhythm_gate: truth and predictions differ in length");
  if (search.adapt_passes < 1 || search.adapt_passes > kMaxAdaptPasses)
    throw InvalidArgument("fit_rhythm_gate: adapt_passes must be from 1 to " + std::to_string(kMaxAdaptPasses));
  if (search.half_window < 1 || search.half_window > kMaxHalfWindow)
    throw InvalidArgument("fit_rhythm_gate: the gate window must be from 1 to " + std::to_string(kMaxHalfWindow) + " beats either side");
  if (!(search.sveb_ppv_floor >= 0 && search.sveb_ppv_floor <= 1))
    throw InvalidArgument("fit_rhythm_gate: the SVEB +P floor must be from 0 to 1");
  const bool by_rhythm = search.gate_fit == GateFit::rhythm;
  if (by_rhythm && search.choice == StepChoice::smoothed)
    throw InvalidArgument("fit_rhythm_gate: the smoothed choice averages over the gate's thresholds, which a gate fitted to the rhythm does not choose");
  if (by_rhythm && rhythm.size() != predicted.size())
    throw InvalidArgument("fit_rhythm_gate: fitting the gate to the rhythm needs one rhythm annotation per row");
  const StepChoice choice = search.choice;
  const int adapt_passes = search.adapt_passes;
  const bool search_adapt_form = search.adapt_forms;
  if (!fold.empty() && fold.size() != predicted.size()) throw InvalidArgument("fit_rhythm_gate: one fold per row needed");
  RhythmGate shape;  // window, minimum count and intervals: fixed, not searched
  shape.irregularity_n_only = search.irregularity_n_only;
  shape.half_window = search.half_window;
  shape.p_measure = search.p_measure;
  const auto recs = per_record(predicted, record, r_sample, p_wave, fs, shape, p_regions);
  // The adaptation's forms: the first (class-share priors, two inputs) wins ties.
  struct Form {
    bool equal_priors, take_back;
    AdaptInput third;
  };
  const std::vector<Form> forms = search_adapt_form
                                      ? std::vector<Form>{{false, false, AdaptInput::none},
                                                          {true, false, AdaptInput::none},
                                                          {false, true, AdaptInput::none},
                                                          {false, false, AdaptInput::rr_post_local},
                                                          {false, false, AdaptInput::p_wave}}
                                      : std::vector<Form>{{false, false, AdaptInput::none}};
  std::vector<RhythmGate> grid{shape};  // first: no rhythm step (disabled; it keeps the search's fixed fields)
  // Each point's place: a family (all but the three thresholds) and the
  // thresholds' grid indices, for the smoothed choice's neighbourhoods.
  struct Place {
    int family, premature, irregularity, p_wave;
  };
  std::vector<Place> place{{-1, 0, 0, 0}};
  int family = 0;
  const std::array<double, 7> prematures{0.0, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85};
  const std::array<double, 7> irregularities{0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3};
  const std::array<double, 11> p_waves = search.p_measure == PMeasure::coherence
                                             ? std::array<double, 11>{0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, 0.5, 2.0}
                                             : std::array<double, 11>{0.1, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 2.0};
  for (int adapt : {0, 5, 10, 20, 50, 100})
  for (std::size_t form = 0; form < (adapt > 0 ? forms.size() : 1); ++form, family += 3)
  for (int ip = 0; ip < static_cast<int>(prematures.size()); ++ip) {
    const double premature = prematures[static_cast<std::size_t>(ip)];
    RhythmGate g = shape;
    g.enabled = true;
    g.premature = premature;
    g.adapt_min_beats = adapt;
    g.adapt_equal_priors = forms[form].equal_priors;
    g.adapt_take_back = forms[form].take_back;
    g.adapt_third = forms[form].third;
    g.adapt_passes = adapt_passes;
    if (premature > 0 || adapt > 0) {  // the prematurity rule (and the adaptation) alone
      g.irregularity = 0;
      g.p_wave = kNoAfGate;
      grid.push_back(g);
      place.push_back({family, ip, 0, 0});
    }
    for (bool premature_gated : {true, false}) {
      if (!premature_gated && premature == 0) continue;  // the same rule twice
      g.premature_gated = premature_gated;
      for (int ii = 0; ii < static_cast<int>(irregularities.size()); ++ii)
        for (int iw = 0; iw < static_cast<int>(p_waves.size()); ++iw) {
          g.irregularity = irregularities[static_cast<std::size_t>(ii)];
          g.p_wave = p_waves[static_cast<std::size_t>(iw)];
          grid.push_back(g);
          place.push_back({family + (premature_gated ? 1 : 2), ip, ii, iw});
        }
    }
  }
  // Neighbourhoods (the smoothed choice): same family, at most one step in each threshold.
  std::vector<std::vector<std::size_t>> near(grid.size());
  if (choice == StepChoice::smoothed) {
    std::map<std::array<int, 4>, std::size_t> at;
    for (std::size_t g = 0; g < grid.size(); ++g) at[{place[g].family, place[g].premature, place[g].irregularity, place[g].p_wave}] = g;
    for (std::size_t g = 0; g < grid.size(); ++g)
      for (int dp = -1; dp <= 1; ++dp)
        for (int di = -1; di <= 1; ++di)
          for (int dw = -1; dw <= 1; ++dw)
            if (const auto it = at.find({place[g].family, place[g].premature + dp, place[g].irregularity + di, place[g].p_wave + dw});
                it != at.end())
              near[g].push_back(it->second);
  }
  // Confusion matrices per grid point and fold (fold -1 when none given).
  std::map<std::int32_t, std::size_t> fold_index;
  for (std::size_t i = 0; i < predicted.size(); ++i) fold_index.try_emplace(fold.empty() ? -1 : fold[i], 0);
  std::size_t k = 0;
  for (auto& [f, idx] : fold_index) idx = k++;
  std::vector<std::vector<Confusion>> cm(grid.size(), std::vector<Confusion>(fold_index.size(), Confusion{}));
  for (std::size_t g = 0; g < grid.size(); ++g) {
    const auto d = gated(predicted, recs, grid[g]);
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (truth[i] < 0 || truth[i] >= kMetricClasses || d[i] < 0 || d[i] >= kMetricClasses)
        throw InvalidArgument("fit_rhythm_gate: a class outside 0..4 at row " + std::to_string(i));
      ++cm[g][fold_index[fold.empty() ? -1 : fold[i]]][static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(d[i])];
    }
  }
  // gate_fit rhythm: per fold, the AF/other beats and how many of each every
  // (irregularity, P wave) pair gates.
  const std::size_t kPairs = irregularities.size() * p_waves.size();
  std::vector<std::array<double, 2>> rhythm_total(fold_index.size(), {0, 0});  // [fold][other, AF]
  std::vector<std::vector<std::array<double, 2>>> rhythm_gated(kPairs, rhythm_total);
  if (by_rhythm) {
    for (const auto& r : recs)
      for (std::size_t k = 0; k < r.rows.size(); ++k) {
        const std::size_t i = r.rows[k];
        if (rhythm[i] != 0 && rhythm[i] != 1) continue;
        const std::size_t f = fold_index[fold.empty() ? -1 : fold[i]], af = rhythm[i] == 1 ? 1 : 0;
        rhythm_total[f][af] += 1;
        RhythmGate g = shape;
        for (std::size_t ii = 0; ii < irregularities.size(); ++ii)
          for (std::size_t iw = 0; iw < p_waves.size(); ++iw) {
            g.irregularity = irregularities[ii];
            g.p_wave = p_waves[iw];
            if (in_af(g, r.stats, k)) rhythm_gated[ii * p_waves.size() + iw][f][af] += 1;
          }
      }
  }
  if (by_rhythm) {
    double annotated = 0;
    for (const auto& t : rhythm_total) annotated += t[0] + t[1];
    if (annotated == 0) throw InvalidArgument("fit_rhythm_gate: no row has an annotated rhythm to fit the gate to");
  }
  // The pair fitted to the rhythm of every fold but `skip`, and its balanced accuracy.
  const auto rhythm_pair = [&](std::size_t skip) {
    std::array<double, 2> total{0, 0};
    for (std::size_t f = 0; f < fold_index.size(); ++f)
      if (f != skip) total = {total[0] + rhythm_total[f][0], total[1] + rhythm_total[f][1]};
    std::size_t best = 0;
    double best_ba = -1;
    for (std::size_t q = 0; q < kPairs; ++q) {
      std::array<double, 2> gated_n{0, 0};
      for (std::size_t f = 0; f < fold_index.size(); ++f)
        if (f != skip) gated_n = {gated_n[0] + rhythm_gated[q][f][0], gated_n[1] + rhythm_gated[q][f][1]};
      const double se = total[1] > 0 ? gated_n[1] / total[1] : 0, sp = total[0] > 0 ? 1 - gated_n[0] / total[0] : 0;
      const double ba = (se + sp) / 2;
      if (ba > best_ba + 1e-12) {
        best_ba = ba;
        best = q;
      }
    }
    return std::pair<std::size_t, double>{best, best_ba};
  };
  // Whether grid point g may be chosen when the gate is fitted to the rhythm with pair q.
  const auto allowed = [&](std::size_t g, std::size_t q) {
    if (!by_rhythm || g == 0) return true;
    return grid[g].p_wave != kNoAfGate && grid[g].irregularity == irregularities[q / p_waves.size()] &&
           grid[g].p_wave == p_waves[q % p_waves.size()];
  };
  // The figures a point is chosen by, pooled over every fold but `skip`.
  struct Figures {
    double f1 = 0, sveb_se = 0, sveb_ppv = 0;
  };
  const auto figures_without = [&](std::size_t g, std::size_t skip) {
    Confusion sum{};
    for (std::size_t f = 0; f < fold_index.size(); ++f)
      if (f != skip) add_confusion(sum, cm[g][f]);
    const Metrics m = metrics_from_confusion(sum);
    return Figures{m.f1_macro, m.per_class[kS].sensitivity, m.per_class[kS].ppv};
  };
  const auto f1_without = [&](std::size_t g, std::size_t skip) { return figures_without(g, skip).f1; };
  const auto best_without = [&](std::size_t skip) {
    std::vector<Figures> fig(grid.size());
    for (std::size_t g = 0; g < grid.size(); ++g) fig[g] = figures_without(g, skip);
    const auto at = [&](std::size_t g) {  // the point's own figures, or its neighbourhood's means
      if (choice == StepChoice::best) return fig[g];
      Figures sum;
      for (std::size_t n : near[g]) {
        sum.f1 += fig[n].f1;
        sum.sveb_se += fig[n].sveb_se;
        sum.sveb_ppv += fig[n].sveb_ppv;
      }
      const auto k = static_cast<double>(near[g].size());
      return Figures{sum.f1 / k, sum.sveb_se / k, sum.sveb_ppv / k};
    };
    const std::size_t pair = by_rhythm ? rhythm_pair(skip).first : 0;
    std::vector<Figures> score(grid.size());
    bool any_meets = false;
    for (std::size_t g = 0; g < grid.size(); ++g) {
      if (!allowed(g, pair)) continue;
      score[g] = at(g);
      any_meets = any_meets || score[g].sveb_ppv >= search.sveb_ppv_floor - 1e-12;
    }
    // Whether a beats b (ties to the earlier point: strictly better only).
    const bool by_se = search.criterion == StepCriterion::sveb_se && any_meets;
    const auto better = [&](const Figures& a, const Figures& b) {
      if (by_se) {
        const bool ma = a.sveb_ppv >= search.sveb_ppv_floor - 1e-12, mb = b.sveb_ppv >= search.sveb_ppv_floor - 1e-12;
        if (ma != mb) return ma;
        if (std::abs(a.sveb_se - b.sveb_se) > 1e-9) return a.sveb_se > b.sveb_se;
      }
      return a.f1 > b.f1 + 1e-9;
    };
    std::size_t best = 0;
    for (std::size_t g = 1; g < grid.size(); ++g)
      if (allowed(g, pair) && better(score[g], score[best])) best = g;
    return best;
  };
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  RhythmGateFit r;
  r.search = search;
  const std::size_t best = best_without(kNone);
  r.gate = grid[best];
  r.macro_f1_before = f1_without(0, kNone);
  r.macro_f1_gated = f1_without(best, kNone);
  if (by_rhythm) r.af_balanced_accuracy = rhythm_pair(kNone).second;
  if (!fold.empty()) {
    Confusion nested{};
    r.nested_decisions.assign(predicted.begin(), predicted.end());
    for (auto& [fold_value, f] : fold_index) {
      const std::size_t g = best_without(f);
      r.fold_gates.push_back(grid[g]);
      const auto d = gated(predicted, recs, grid[g]);
      for (std::size_t i = 0; i < d.size(); ++i)
        if (fold[i] == fold_value) r.nested_decisions[i] = d[i];
      add_confusion(nested, cm[g][f]);
    }
    r.macro_f1_nested = metrics_from_confusion(nested).f1_macro;
  }
  return r;
}

namespace {

// The two names of a two-valued option, in its enum's order.
using TwoNames = std::array<const char*, 2>;
constexpr TwoNames kStepChoiceNames{"best", "smoothed"}, kStepCriterionNames{"macro_f1", "sveb_se"},
    kGateFitNames{"macro_f1", "rhythm"}, kPMeasureNames{"tpl_corr_p", "coherence"};

template <class E>
E from_name(const std::string& name, const char* what, const TwoNames& names) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (name == names[i]) return static_cast<E>(i);
  throw InvalidArgument(std::string(what) + ": expected \"" + names[0] + "\" or \"" + names[1] + "\", got \"" + name + "\"");
}

template <class E>
const char* name_of(E value, const TwoNames& names) {
  return names[static_cast<std::size_t>(value)];
}

}  // namespace

StepChoice step_choice_from_name(const std::string& name) { return from_name<StepChoice>(name, "step choice", kStepChoiceNames); }
const char* step_choice_name(StepChoice choice) { return name_of(choice, kStepChoiceNames); }
StepCriterion step_criterion_from_name(const std::string& name) {
  return from_name<StepCriterion>(name, "step criterion", kStepCriterionNames);
}
const char* step_criterion_name(StepCriterion criterion) { return name_of(criterion, kStepCriterionNames); }
GateFit gate_fit_from_name(const std::string& name) { return from_name<GateFit>(name, "gate fit", kGateFitNames); }
const char* gate_fit_name(GateFit fit) { return name_of(fit, kGateFitNames); }
PMeasure p_measure_from_name(const std::string& name) { return from_name<PMeasure>(name, "P-wave measure", kPMeasureNames); }
const char* p_measure_name(PMeasure measure) { return name_of(measure, kPMeasureNames); }

namespace {

double number_field(const nlohmann::json& j, const char* key, double fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_number()) throw FormatError(std::string("decision.rhythm_gate.") + key + ": not a number");
  const double v = j[key].get<double>();
  if (!std::isfinite(v)) throw FormatError(std::string("decision.rhythm_gate.") + key + ": not finite");
  return v;
}

}  // namespace

RhythmGate rhythm_gate_from_json(const nlohmann::json& decision) {
  RhythmGate g;
  if (!decision.is_object() || !decision.contains("rhythm_gate") || decision["rhythm_gate"].is_null()) return g;
  const auto& j = decision["rhythm_gate"];
  if (!j.is_object()) throw FormatError("decision.rhythm_gate: expected an object");
  if (!j.contains("enabled") || !j["enabled"].is_boolean()) throw FormatError("decision.rhythm_gate.enabled: expected true or false");
  g.enabled = j["enabled"].get<bool>();
  // Whole-number fields must be JSON integers (10, not 10.0 or 10.5).
  const auto whole = [&](const char* key, int fallback, int lo, int max) {
    if (!j.contains(key)) return fallback;
    const auto v = json_integer_in(j[key], lo, max);
    if (!v)
      throw FormatError(std::string("decision.rhythm_gate.") + key + ": expected a whole number from " + std::to_string(lo) + " to " +
                        std::to_string(max));
    return static_cast<int>(*v);
  };
  g.half_window = whole("half_window", g.half_window, 1, kMaxHalfWindow);
  g.min_differences = whole("min_differences", g.min_differences, 1, 2000);
  g.adapt_min_beats = whole("adapt_min_beats", 0, 0, 1'000'000);
  g.adapt_passes = whole("adapt_passes", 1, 1, kMaxAdaptPasses);  // files from before the option: one pass
  g.irregularity = number_field(j, "irregularity", g.irregularity);
  g.p_wave = number_field(j, "p_wave", g.p_wave);
  g.premature = number_field(j, "premature", g.premature);
  const auto flag = [&](const char* key, bool fallback) {
    if (!j.contains(key)) return fallback;
    if (!j[key].is_boolean()) throw FormatError(std::string("decision.rhythm_gate.") + key + ": expected true or false");
    return j[key].get<bool>();
  };
  g.premature_gated = flag("premature_gated", g.premature_gated);
  g.adapt_take_back = flag("adapt_take_back", false);
  if (j.contains("gate_intervals")) {  // files from before the option: not_v
    const auto& v = j["gate_intervals"];
    if (v != "not_v" && v != "n_only") throw FormatError("decision.rhythm_gate.gate_intervals: expected \"not_v\" or \"n_only\"");
    g.irregularity_n_only = v == "n_only";
  }
  if (j.contains("p_measure")) {  // files from before the option: tpl_corr_p
    try {
      g.p_measure = p_measure_from_name(j["p_measure"].is_string() ? j["p_measure"].get<std::string>() : std::string());
    } catch (const InvalidArgument& e) {
      throw FormatError(std::string("decision.rhythm_gate.p_measure: ") + e.what());
    }
  }
  if (j.contains("adapt_priors")) {  // files from before the form options: class shares, two inputs
    const auto& v = j["adapt_priors"];
    if (v != "shares" && v != "equal") throw FormatError("decision.rhythm_gate.adapt_priors: expected \"shares\" or \"equal\"");
    g.adapt_equal_priors = v == "equal";
  }
  if (j.contains("adapt_third")) {
    const auto& v = j["adapt_third"];
    if (v == "none") g.adapt_third = AdaptInput::none;
    else if (v == "rr_post_local") g.adapt_third = AdaptInput::rr_post_local;
    else if (v == "tpl_corr_p") g.adapt_third = AdaptInput::p_wave;
    else throw FormatError("decision.rhythm_gate.adapt_third: expected \"none\", \"rr_post_local\" or \"tpl_corr_p\"");
  }
  if (g.irregularity < 0) throw FormatError("decision.rhythm_gate.irregularity: must not be negative");
  if (g.premature < 0 || g.premature > 2) throw FormatError("decision.rhythm_gate.premature: expected a ratio from 0 to 2");
  return g;
}

RhythmGate model_rhythm_gate(const nlohmann::json& meta) {
  return meta.is_object() && meta.contains("decision") ? rhythm_gate_from_json(meta["decision"]) : RhythmGate{};
}

nlohmann::json to_json(const RhythmGate& g) {
  return {{"enabled", g.enabled},
          {"half_window", g.half_window},
          {"min_differences", g.min_differences},
          {"irregularity", g.irregularity},
          {"p_wave", g.p_wave},
          {"p_measure", p_measure_name(g.p_measure)},
          {"premature", g.premature},
          {"premature_gated", g.premature_gated},
          {"adapt_min_beats", g.adapt_min_beats},
          {"adapt_priors", g.adapt_equal_priors ? "equal" : "shares"},
          {"adapt_take_back", g.adapt_take_back},
          {"adapt_passes", g.adapt_passes},
          {"gate_intervals", g.irregularity_n_only ? "n_only" : "not_v"},
          {"adapt_third", g.adapt_third == AdaptInput::none            ? "none"
                          : g.adapt_third == AdaptInput::rr_post_local ? "rr_post_local"
                                                                       : "tpl_corr_p"}};
}

nlohmann::json to_json(const RhythmGateFit& fit) {
  nlohmann::json j = to_json(fit.gate);
  j["rule"] = "N becomes S where the RR interval before the beat is below premature times the record's mean RR interval "
              "(unless premature_gated and the beat's window is gated); S becomes N where the window is gated: over the beats "
              "within half_window, the median |dRR| / median RR of intervals between beats not called V (gate_intervals not_v) or "
              "between beats both called N (n_only) exceeds irregularity "
              "and the window's P-wave measure is below p_wave (p_measure tpl_corr_p: the median tpl_corr_p of its beats; coherence: the energy of "
              "the average of its non-V beats' detrended P regions over their mean energy); then, in a record with at least adapt_min_beats (> 0) S and N decisions, an N "
              "decision outside gated windows becomes S where a linear discriminant fitted to the record's S and N decisions "
              "(pre-RR over the local and over the record mean, and adapt_third if not none; diagonal pooled variance, the class shares "
              "as priors unless adapt_priors is equal) says S, and, with adapt_take_back, an S decision it does not put with the S "
              "beats becomes N; the adaptation runs adapt_passes times, each refitted on the decisions the one before left, stopping "
              "when one changes nothing";
  j["step_choice"] = step_choice_name(fit.search.choice);
  j["step_criterion"] = step_criterion_name(fit.search.criterion);
  if (fit.search.criterion == StepCriterion::sveb_se) j["step_sveb_ppv_floor"] = fit.search.sveb_ppv_floor;
  j["gate_fit"] = gate_fit_name(fit.search.gate_fit);
  if (fit.af_balanced_accuracy >= 0) j["af_balanced_accuracy"] = fit.af_balanced_accuracy;
  j["macro_f1_before"] = fit.macro_f1_before;
  j["macro_f1_gated"] = fit.macro_f1_gated;
  if (fit.macro_f1_nested >= 0) {
    j["macro_f1_nested"] = fit.macro_f1_nested;
    nlohmann::json folds = nlohmann::json::array();
    for (const auto& g : fit.fold_gates) folds.push_back(to_json(g));
    j["fold_gates"] = folds;
  }
  return j;
}

}  // namespace heartwave
