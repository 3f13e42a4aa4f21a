#include <algorithm>
#include <cmath>

#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"

namespace heartwave {
namespace {

// A turn reverses by more than this share of the dominant beat's QRS peak-to-peak.
constexpr double kTurnThreshold = 0.05;

bool in_qrs(std::size_t i, int r) {
  const auto d = static_cast<long>(i) - r;
  return d >= kQrsRegionBegin && d < kQrsRegionEnd;
}

struct Shape {
  double turns = 0, tv = 0;
};

// Peak-to-peak over the QRS.
double qrs_peak_to_peak(std::span<const float> x, int r) {
  float lo = 0, hi = 0;
  bool any = false;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (in_qrs(i, r)) {
      lo = any ? std::min(lo, x[i]) : x[i];
      hi = any ? std::max(hi, x[i]) : x[i];
      any = true;
    }
  return any ? static_cast<double>(hi) - lo : 0.0;
}

// Outside the QRS (each side on its own): total variation over the steps
// whose both ends lie outside it, and turns: reversals of direction by more
// than `h` from the extreme reached since the last one (hysteresis, so that
// sample-level jitter does not count).
Shape shape(std::span<const float> x, int r, double h) {
  Shape s;
  int dir = 0;             // +1 rising, -1 falling, 0 not known yet
  double lo = 0, hi = 0;   // the running extremes since the last turn
  bool open = false;       // inside a stretch outside the QRS
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (in_qrs(i, r)) {
      open = false;
      continue;
    }
    const double v = x[i];
    if (!open) {
      open = true;
      dir = 0;
      lo = hi = v;
      continue;
    }
    s.tv += std::abs(v - x[i - 1]);
    if (dir >= 0 && v < hi - h) {
      if (dir > 0) s.turns += 1;
      dir = -1;
      lo = v;
    } else if (dir <= 0 && v > lo + h) {
      if (dir < 0) s.turns += 1;
      dir = 1;
      hi = v;
    }
    hi = std::max(hi, v);
    lo = std::min(lo, v);
  }
  return s;
}

double safe_ratio(double a, double b) { return std::abs(b) > 1e-12 ? a / b : 0.0; }

}  // namespace

double quality_residue_rms(std::span<const double> raw, std::span<const double> filtered, int r) {
  if (raw.size() != filtered.size())
    throw InvalidArgument("quality_residue_rms: " + std::to_string(raw.size()) + " raw and " + std::to_string(filtered.size()) +
                          " filtered samples");
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (in_qrs(i, r)) continue;
    const double d = raw[i] - filtered[i];
    sum += d * d;
    ++n;
  }
  return n ? std::sqrt(sum / static_cast<double>(n)) : 0.0;
}

void quality_features(std::span<const float> beat, double hf_rms, std::span<const float> tmpl, int r, std::span<float> out) {
  if (beat.size() != tmpl.size() || out.size() != kNumQualityFeatures)
    throw InvalidArgument("quality_features: " + std::to_string(beat.size()) + " beat and " + std::to_string(tmpl.size()) +
                          " dominant-beat samples for " + std::to_string(out.size()) + " values (expected equal lengths and " +
                          std::to_string(kNumQualityFeatures) + ")");
  const double p2p = qrs_peak_to_peak(tmpl, r), h = kTurnThreshold * p2p;
  const Shape b = shape(beat, r, h), t = shape(tmpl, r, h);
  out[0] = static_cast<float>(safe_ratio(hf_rms, p2p));
  out[1] = static_cast<float>(b.turns - t.turns);
  out[2] = static_cast<float>(safe_ratio(b.tv, t.tv));
}

}  // namespace heartwave
