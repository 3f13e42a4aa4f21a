// Butterworth design following the textbook analog-prototype route that
// scipy.signal.butter documents: analog poles on the unit circle, frequency
// pre-warping, low-pass to low/high/band-pass transformation, bilinear
// transform, then zeros/poles/gain to polynomial coefficients.
#include <cmath>
#include <complex>
#include <numbers>

#include "heartwave/core/error.hpp"
#include "heartwave/dsp/filter.hpp"

namespace heartwave {
namespace {

using cd = std::complex<double>;

// Coefficients of prod (x - r) for the roots, highest power first.
std::vector<cd> poly(const std::vector<cd>& roots) {
  std::vector<cd> c{1.0};
  for (const cd& r : roots) {
    std::vector<cd> next(c.size() + 1, 0.0);
    for (std::size_t i = 0; i < c.size(); ++i) {
      next[i] += c[i];
      next[i + 1] -= r * c[i];
    }
    c = std::move(next);
  }
  return c;
}

cd prod(const std::vector<cd>& v, cd shift, bool negate) {
  cd p = 1.0;
  for (const cd& x : v) p *= negate ? (shift - x) : (shift + x);
  return p;
}

}  // namespace

FilterType parse_filter_type(std::string_view name) {
  if (name == "lowpass" || name == "low") return FilterType::lowpass;
  if (name == "highpass" || name == "high") return FilterType::highpass;
  if (name == "bandpass" || name == "band") return FilterType::bandpass;
  throw InvalidArgument("unknown filter type '" + std::string(name) + "' (lowpass, highpass, bandpass)");
}

std::string_view to_string(FilterType t) noexcept {
  switch (t) {
    case FilterType::lowpass: return "lowpass";
    case FilterType::highpass: return "highpass";
    case FilterType::bandpass: return "bandpass";
  }
  return "?";
}

FilterCoefficients butter(int order, std::span<const double> cutoff_hz, FilterType type, double fs) {
  if (order < 1 || order > 40) throw InvalidArgument("butter: order must be in [1, 40], got " + std::to_string(order));
  if (!(fs > 0.0) || !std::isfinite(fs)) throw InvalidArgument("butter: sampling frequency must be positive");
  const std::size_t need = type == FilterType::bandpass ? 2 : 1;
  if (cutoff_hz.size() != need)
    throw InvalidArgument("butter: " + std::string(to_string(type)) + " needs " + std::to_string(need) +
                          " cutoff frequencies");
  std::vector<double> wn;
  for (double f : cutoff_hz) {
    const double w = 2.0 * f / fs;  // normalised to Nyquist
    if (!(w > 0.0 && w < 1.0))
      throw InvalidArgument("butter: cutoff " + std::to_string(f) + " Hz must lie in (0, fs/2)");
    wn.push_back(w);
  }
  if (need == 2 && !(wn[0] < wn[1])) throw InvalidArgument("butter: band edges must be increasing");

  // Analog prototype: poles -exp(j*pi*m/(2N)) for m = -N+1, -N+3, ..., N-1.
  std::vector<cd> z, p;
  for (int m = -order + 1; m < order; m += 2)
    p.push_back(-std::exp(cd(0.0, std::numbers::pi * m / (2.0 * order))));
  double k = 1.0;

  // Pre-warp with the bilinear "fs" of 2 (frequencies normalised to Nyquist).
  const double bfs = 2.0;
  std::vector<double> warped;
  for (double w : wn) warped.push_back(2.0 * bfs * std::tan(std::numbers::pi * w / bfs));

  const auto degree = static_cast<int>(p.size() - z.size());
  if (type == FilterType::lowpass) {
    const double wo = warped[0];
    for (auto& x : z) x *= wo;
    for (auto& x : p) x *= wo;
    k *= std::pow(wo, degree);
  } else if (type == FilterType::highpass) {
    const double wo = warped[0];
    k *= std::real(prod(z, 0.0, true) / prod(p, 0.0, true));
    for (auto& x : z) x = wo / x;
    for (auto& x : p) x = wo / x;
    for (int i = 0; i < degree; ++i) z.push_back(0.0);
  } else {
    const double bw = warped[1] - warped[0];
    const double wo = std::sqrt(warped[0] * warped[1]);
    auto transform = [&](const std::vector<cd>& r) {
      std::vector<cd> lp, plus, minus;
      for (const cd& x : r) lp.push_back(x * bw / 2.0);
      for (const cd& x : lp) {
        const cd s = std::sqrt(x * x - wo * wo);
        plus.push_back(x + s);
        minus.push_back(x - s);
      }
      plus.insert(plus.end(), minus.begin(), minus.end());
      return plus;
    };
    z = transform(z);
    p = transform(p);
    for (int i = 0; i < degree; ++i) z.push_back(0.0);
    k *= std::pow(bw, degree);
  }

  // Bilinear transform with fs2 = 2 * bfs.
  const double fs2 = 2.0 * bfs;
  const int deg2 = static_cast<int>(p.size() - z.size());
  const cd num = prod(z, fs2, true), den = prod(p, fs2, true);
  for (auto& x : z) x = (fs2 + x) / (fs2 - x);
  for (auto& x : p) x = (fs2 + x) / (fs2 - x);
  for (int i = 0; i < deg2; ++i) z.push_back(-1.0);
  k *= std::real(num / den);

  const auto bz = poly(z), ap = poly(p);
  FilterCoefficients f;
  for (const cd& c : bz) f.b.push_back(k * c.real());
  for (const cd& c : ap) f.a.push_back(c.real());
  return f;
}

}  // namespace heartwave
