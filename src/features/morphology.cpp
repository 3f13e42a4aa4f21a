#include <algorithm>
#include <cmath>
#include <numeric>

#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"

namespace heartwave {
namespace {

constexpr int kPeakDistance = 72;  // 200 ms at 360 Hz
constexpr int kSegments = 5;

double median_of(std::vector<double>& v) {
  const std::size_t n = v.size();
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (n % 2) return *mid;
  const double hi = *mid;
  const double lo = *std::max_element(v.begin(), mid);
  return 0.5 * (lo + hi);
}

double trapz_abs(const double* x, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = 1; i < n; ++i) s += 0.5 * (std::abs(x[i - 1]) + std::abs(x[i]));
  return s;
}

void mean_std(const double* x, std::size_t n, double& mean, double& sd) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += x[i];
  mean = s / static_cast<double>(n);
  double v = 0.0;
  for (std::size_t i = 0; i < n; ++i) v += (x[i] - mean) * (x[i] - mean);
  sd = std::sqrt(v / static_cast<double>(n));
}

std::size_t crossings(const double* x, std::size_t n, double level) {
  std::size_t c = 0;
  for (std::size_t i = 1; i < n; ++i)
    if (std::signbit(x[i - 1] - level) != std::signbit(x[i] - level)) ++c;
  return c;
}

}  // namespace

std::vector<std::size_t> find_peaks(std::span<const double> x, double min_height, int distance) {
  const std::size_t n = x.size();
  std::vector<std::size_t> peaks;
  // Local maxima; a flat top counts once, at its middle (rounded down).
  std::size_t i = 1;
  while (n >= 3 && i < n - 1) {
    if (x[i - 1] < x[i]) {
      std::size_t ahead = i + 1;
      while (ahead < n - 1 && x[ahead] == x[i]) ++ahead;
      if (x[ahead] < x[i]) {
        peaks.push_back((i + ahead - 1) / 2);
        i = ahead;
        continue;
      }
    }
    ++i;
  }
  std::erase_if(peaks, [&](std::size_t p) { return x[p] < min_height; });
  if (distance > 1 && peaks.size() > 1) {
    // Highest first; a kept peak removes lower neighbours closer than `distance`.
    std::vector<std::size_t> order(peaks.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[peaks[a]] < x[peaks[b]]; });
    std::vector<bool> keep(peaks.size(), true);
    for (std::size_t r = order.size(); r-- > 0;) {
      const std::size_t j = order[r];
      if (!keep[j]) continue;
      for (std::size_t k = j; k-- > 0 && peaks[j] - peaks[k] < static_cast<std::size_t>(distance);) keep[k] = false;
      for (std::size_t k = j + 1; k < peaks.size() && peaks[k] - peaks[j] < static_cast<std::size_t>(distance); ++k)
        keep[k] = false;
    }
    std::vector<std::size_t> kept;
    for (std::size_t k = 0; k < peaks.size(); ++k)
      if (keep[k]) kept.push_back(peaks[k]);
    peaks = std::move(kept);
  }
  return peaks;
}

void morphology_features(std::span<const float> beat, int r_index, std::span<float> out) {
  const std::size_t n = beat.size();
  if (n < static_cast<std::size_t>(kSegments) * 2) throw InvalidArgument("morphology_features: beat too short");
  if (r_index < 0 || static_cast<std::size_t>(r_index) >= n) throw InvalidArgument("morphology_features: R index outside the beat");
  if (out.size() != kNumMorphologyFeatures) throw InvalidArgument("morphology_features: output must hold 36 values");
  thread_local std::vector<double> x, tmp;
  x.assign(beat.begin(), beat.end());
  double mean, sd;
  mean_std(x.data(), n, mean, sd);
  const double var = sd * sd;
  double m3 = 0.0, m4 = 0.0;
  for (double v : x) {
    const double d = v - mean;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m3 /= static_cast<double>(n);
  m4 /= static_cast<double>(n);
  const double skew = var > 0 ? m3 / std::pow(var, 1.5) : 0.0;
  const double kurt = var > 0 ? m4 / (var * var) - 3.0 : 0.0;
  tmp = x;
  const double med = median_of(tmp);
  for (auto& v : tmp) v = std::abs(v - med);
  const double mad = median_of(tmp);
  const auto [mn_it, mx_it] = std::minmax_element(x.begin(), x.end());
  const double mx = *mx_it, mn = *mn_it;
  double energy = 0.0;
  for (double v : x) energy += v * v;
  const double power = energy / static_cast<double>(n);
  const auto peaks = find_peaks(x, 0.3 * mx, kPeakDistance);
  std::size_t k = 0;
  auto put = [&](double v) { out[k++] = static_cast<float>(v); };
  put(mean); put(sd); put(var); put(med); put(mad); put(skew); put(kurt);
  put(mx); put(mn); put(mx - mn); put(mx - mn); put(energy); put(power); put(std::sqrt(power));
  put(static_cast<double>(crossings(x.data(), n, 0.0)));
  put(static_cast<double>(crossings(x.data(), n, mean)));
  put(mx / (sd + 1e-6));
  put(static_cast<double>(peaks.size()));
  put(x[static_cast<std::size_t>(r_index)]);
  put(static_cast<double>(mx_it - x.begin()) / static_cast<double>(n));
  put(trapz_abs(x.data(), n));
  const std::size_t seg = n / kSegments;
  double seg_mean[kSegments], seg_sd[kSegments], seg_area[kSegments];
  for (int s = 0; s < kSegments; ++s) {
    const std::size_t start = static_cast<std::size_t>(s) * seg;
    const std::size_t len = s == kSegments - 1 ? n - start : seg;
    mean_std(x.data() + start, len, seg_mean[s], seg_sd[s]);
    seg_area[s] = trapz_abs(x.data() + start, len);
  }
  for (double v : seg_mean) put(v);
  for (double v : seg_sd) put(v);
  for (double v : seg_area) put(v);
}

void relative_morphology(std::span<const float> beat_morphology, std::span<const float> dominant_morphology,
                         std::span<float> out) {
  if (beat_morphology.size() != kNumRelativeFeatures || dominant_morphology.size() != kNumRelativeFeatures ||
      out.size() != kNumRelativeFeatures)
    throw InvalidArgument("relative_morphology: expected " + std::to_string(kNumRelativeFeatures) + " values in and out");
  for (std::size_t k = 0; k < kNumRelativeFeatures; ++k) out[k] = beat_morphology[k] - dominant_morphology[k];
}

}  // namespace heartwave
