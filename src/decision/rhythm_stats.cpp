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

constexpr std::int32_t kN = 0, kV = 2;

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
  if (it == names.end()) throw FormatError(where + ": no " + kPWaveFeature + " feature (the rhythm step needs it)");
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

}  // namespace heartwave
