#include <algorithm>
#include <cmath>

#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"

namespace heartwave {
namespace {

struct Range {
  std::size_t from, to;  // [from, to)
};

Range region(int r, int lo, int hi, std::size_t n) {
  const auto clamp = [&](int v) { return static_cast<std::size_t>(std::clamp(v, 0, static_cast<int>(n))); };
  return {clamp(r + lo), clamp(r + hi)};
}

double correlation(std::span<const float> a, std::span<const float> b, Range g) {
  const std::size_t n = g.to - g.from;
  if (n < 2) return 0.0;
  double ma = 0, mb = 0;
  for (std::size_t i = g.from; i < g.to; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = g.from; i < g.to; ++i) {
    const double da = a[i] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

double energy(std::span<const float> a, Range g) {
  double e = 0;
  for (std::size_t i = g.from; i < g.to; ++i) e += static_cast<double>(a[i]) * a[i];
  return e;
}

double safe_ratio(double a, double b) { return std::abs(b) > 1e-12 ? a / b : 0.0; }

}  // namespace

std::vector<float> median_template(std::span<const float> windows, std::size_t len) {
  if (len == 0 || windows.size() % len) throw InvalidArgument("median_template: windows are not n x len");
  const std::size_t n_all = windows.size() / len;
  std::vector<float> t(len, 0.0f);
  if (n_all == 0) return t;
  // At most kMaxTemplateBeats beats, evenly spread over the record, make the
  // template: a median of hundreds of beats is as good a dominant beat as one
  // of thousands, at a fraction of the cost.
  const std::size_t step = (n_all + kMaxTemplateBeats - 1) / kMaxTemplateBeats;
  const std::size_t n = (n_all + step - 1) / step;
  // Gather column blocks row by row (sequential reads), then select medians.
  constexpr std::size_t kBlock = 16;
  std::vector<float> cols(kBlock * n);
  for (std::size_t j0 = 0; j0 < len; j0 += kBlock) {
    const std::size_t nb = std::min(kBlock, len - j0);
    for (std::size_t i = 0; i < n; ++i) {
      const float* row = windows.data() + i * step * len + j0;
      for (std::size_t b = 0; b < nb; ++b) cols[b * n + i] = row[b];
    }
    for (std::size_t b = 0; b < nb; ++b) {
      const auto first = cols.begin() + static_cast<std::ptrdiff_t>(b * n);
      const auto last = first + static_cast<std::ptrdiff_t>(n);
      const auto mid = first + static_cast<std::ptrdiff_t>(n / 2);
      std::nth_element(first, mid, last);
      t[j0 + b] = n % 2 ? *mid : 0.5f * (*mid + *std::max_element(first, mid));
    }
  }
  return t;
}

void template_features(std::span<const float> beat, std::span<const float> tmpl, int r, std::span<float> out) {
  const std::size_t n = beat.size();
  if (tmpl.size() != n) throw InvalidArgument("template_features: beat and template differ in length");
  if (r < 0 || static_cast<std::size_t>(r) >= n) throw InvalidArgument("template_features: R index outside the beat");
  if (out.size() != kNumTemplateFeatures) throw InvalidArgument("template_features: output must hold 8 values");
  const Range all{0, n}, qrs = region(r, kQrsRegionBegin, kQrsRegionEnd, n), p = region(r, kPRegionBegin, kPRegionEnd, n), t = region(r, 30, 94, n);
  double diff = 0;
  for (std::size_t i = 0; i < n; ++i) diff += (static_cast<double>(beat[i]) - tmpl[i]) * (static_cast<double>(beat[i]) - tmpl[i]);
  const double et = energy(tmpl, all);
  std::size_t k = 0;
  auto put = [&](double v) { out[k++] = static_cast<float>(v); };
  put(correlation(beat, tmpl, all));
  put(correlation(beat, tmpl, qrs));
  put(correlation(beat, tmpl, p));
  put(correlation(beat, tmpl, t));
  put(std::sqrt(safe_ratio(diff, et)));
  put(safe_ratio(beat[static_cast<std::size_t>(r)], tmpl[static_cast<std::size_t>(r)]));
  put(safe_ratio(energy(beat, all), et));
  put(safe_ratio(energy(beat, p), energy(tmpl, p)));
}

}  // namespace heartwave
