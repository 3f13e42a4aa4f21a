#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>

#include "heartwave/core/error.hpp"
#include "heartwave/dsp/noise.hpp"
#include "heartwave/dsp/synthetic.hpp"

namespace heartwave {
namespace {

// One Gaussian wave: centre and width in seconds relative to the beat's R at
// an RR of 1 s, and its amplitude in the two base views (lead 0 ~ MLII, last
// lead ~ V1). `scales` says whether centre and width follow sqrt(RR)
// (Bazett: PR and QT shorten with the rate, the QRS does not).
struct Wave {
  double centre_s, sigma_s;
  double view_a, view_b;
  bool scales;
};

// P and T: McSharry et al. 2003, Table 1, at 60 bpm (angle theta -> theta/2pi
// s, width b -> b/2pi s; amplitude a*b^2, the height the ODE's z reaches for
// such a wave), as a fraction of R. Q, R and S keep their amplitudes but are
// narrower (sigma 11 ms, Q and S 30 ms from R instead of 16 and 42 ms), so the
// QRS lasts ~90 ms (the table's values give ~120 ms at 10% of R).
constexpr std::array<Wave, 5> kNormal{{
    {-1.0 / 6.0, 0.25 / (2 * std::numbers::pi), 0.25, 0.12, true},  // P
    {-0.030, 0.011, -1.0 / 6.0, 0.0, false},                         // Q
    {0.0, 0.011, 1.0, 0.35, false},                                  // R
    {0.030, 0.011, -0.25, -0.95, false},                             // S
    {0.25, 0.4 / (2 * std::numbers::pi), 0.4, 0.15, true},           // T
}};
// A PVC (ventricular origin, conducted cell to cell): no P, one wide main
// deflection opposite to the normal R (with its terminal wave ~140 ms above
// 10% of the peak), and a T of the other sign (discordant), later and wider.
constexpr std::array<Wave, 3> kPvc{{
    {0.0, 0.026, -1.3, 1.1, false},
    {0.05, 0.022, 0.35, -0.3, false},
    {0.34, 0.08, 0.45, -0.35, true},
}};
constexpr double kSpan = 5.0;        // waves written over centre +- 5 sigma (exp(-12.5) ~ 4e-6)
constexpr double kCoupling = 0.6;    // PVC coupling interval / RR
constexpr int kMaxLeads = 64;

class Writer {
 public:
  Writer(SyntheticEcg& ecg, int leads, double scale) : ecg_(ecg), n_(static_cast<std::int64_t>(ecg.leads[0].size())) {
    // Lead l views the beat from an angle between view a (lead 0) and view b
    // (the last lead).
    gains_.resize(static_cast<std::size_t>(leads));
    for (int l = 0; l < leads; ++l) {
      const double phi = leads == 1 ? 0.0 : 0.5 * std::numbers::pi * l / (leads - 1);
      gains_[static_cast<std::size_t>(l)] = {scale * std::cos(phi), scale * std::sin(phi)};
    }
  }

  template <std::size_t N>
  void beat(const std::array<Wave, N>& waves, double r_s, double rr_s) {
    const double stretch = std::sqrt(std::clamp(rr_s, 0.3, 2.0));
    for (const Wave& w : waves) {
      const double k = w.scales ? stretch : 1.0;
      add(r_s + w.centre_s * k, w.sigma_s * k, w.view_a, w.view_b);
    }
  }

 private:
  // Adds the wave over its bounded span only: the cost is per wave, not per
  // record, and nothing is allocated.
  void add(double centre_s, double sigma_s, double a, double b) {
    const double fs = ecg_.fs;
    const auto k0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil((centre_s - kSpan * sigma_s) * fs)));
    const auto k1 = std::min<std::int64_t>(n_ - 1, static_cast<std::int64_t>(std::floor((centre_s + kSpan * sigma_s) * fs)));
    const double inv = 1.0 / sigma_s;
    for (std::size_t l = 0; l < gains_.size(); ++l) {
      const double g = gains_[l][0] * a + gains_[l][1] * b;
      if (g == 0.0) continue;
      double* x = ecg_.leads[l].data();
      for (std::int64_t k = k0; k <= k1; ++k) {
        const double z = (static_cast<double>(k) / fs - centre_s) * inv;
        x[k] += g * std::exp(-0.5 * z * z);
      }
    }
  }

  SyntheticEcg& ecg_;
  std::int64_t n_;
  std::vector<std::array<double, 2>> gains_;
};

// Lead 0 of a normal beat at its R, per unit R amplitude (the Q, S and the
// P, T tails shift it a little), to scale R to amplitude_mv.
double normal_peak(double rr_s) {
  const double stretch = std::sqrt(std::clamp(rr_s, 0.3, 2.0));
  double v = 0.0;
  for (const Wave& w : kNormal) {
    const double k = w.scales ? stretch : 1.0;
    const double z = w.centre_s * k / (w.sigma_s * k);
    v += w.view_a * std::exp(-0.5 * z * z);
  }
  return v;
}

void check(const SyntheticOptions& o) {
  auto fail = [](const char* what) { throw InvalidArgument(std::string("synthetic_ecg: ") + what); };
  if (!(o.fs > 0.0) || !std::isfinite(o.fs)) fail("fs must be positive");
  if (!(o.seconds >= 0.0) || !(o.seconds * o.fs < 9e15)) fail("seconds must be >= 0 and finite");
  if (o.leads < 1 || o.leads > kMaxLeads) fail("leads must be 1..64");
  if (!(o.heart_rate_bpm >= 20.0 && o.heart_rate_bpm <= 300.0)) fail("heart_rate_bpm must be 20..300");
  if (!(o.rr_jitter >= 0.0 && o.rr_jitter <= 0.25)) fail("rr_jitter must be 0..0.25");
  if (!(o.pvc_fraction >= 0.0 && o.pvc_fraction <= 0.5)) fail("pvc_fraction must be 0..0.5");
  if (!std::isfinite(o.amplitude_mv)) fail("amplitude_mv must be finite");
}

}  // namespace

SyntheticEcg synthetic_ecg(const SyntheticOptions& o) {
  check(o);
  const auto n = static_cast<std::size_t>(std::llround(o.seconds * o.fs));
  SyntheticEcg ecg{o.fs, {}, {}};
  // Each lead allocated in place (copying one prototype would hold a third
  // record-sized vector at the peak).
  ecg.leads.reserve(static_cast<std::size_t>(o.leads));
  for (int l = 0; l < o.leads; ++l) ecg.leads.emplace_back(n, 0.0);
  if (n == 0) return ecg;
  const double rr0 = 60.0 / o.heart_rate_bpm;
  Writer writer(ecg, o.leads, (o.invert ? -1.0 : 1.0) * o.amplitude_mv / normal_peak(rr0));
  ecg.beats.reserve(static_cast<std::size_t>(o.seconds / rr0 * 1.2) + 4);

  // Beat times come from the seed alone (never from fs), so every rate sees
  // the same beats.
  SeededRandom rng(derive_seed(o.seed, 0));
  auto emit = [&](double t, double rr, char label) {
    if (label == 'V')
      writer.beat(kPvc, t, rr);
    else
      writer.beat(kNormal, t, rr);
    const std::int64_t r = std::llround(t * o.fs);
    if (r >= 0 && r < static_cast<std::int64_t>(n)) ecg.beats.push_back({r, label});
  };
  // After a normal beat the next one is a PVC with probability q; a PVC is
  // always followed by a normal beat, so the PVC share is q / (1 + q).
  const double q = o.pvc_fraction / (1.0 - o.pvc_fraction);
  double t = std::max(0.35, 0.5 * rr0);  // the first P wave whole
  emit(t, rr0, 'N');
  // Beats up to 1 s past the end still reach into it with their P waves.
  while (t <= o.seconds + 1.0) {
    // Each slot draws the same numbers whatever it becomes.
    const double rr = rr0 * (1.0 + o.rr_jitter * std::clamp(rng.gaussian(), -3.0, 3.0));
    const bool pvc = rng.uniform() < q;
    if (pvc) emit(t + kCoupling * rr, rr, 'V');
    t += pvc ? 2.0 * rr : rr;  // full compensatory pause after a PVC
    emit(t, rr, 'N');
  }

  // The R sample: lead 0's extremum within +-20 ms of the nominal time (the
  // Q and S waves move the sampled peak by a fraction of a sample).
  const std::vector<double>& x = ecg.leads[0];
  const std::int64_t w = std::max<std::int64_t>(1, std::llround(0.02 * o.fs));
  for (SyntheticBeat& b : ecg.beats) {
    const std::int64_t lo = std::max<std::int64_t>(0, b.r - w);
    const std::int64_t hi = std::min<std::int64_t>(static_cast<std::int64_t>(n) - 1, b.r + w);
    std::int64_t best = b.r;
    for (std::int64_t k = lo; k <= hi; ++k)
      if (std::abs(x[static_cast<std::size_t>(k)]) > std::abs(x[static_cast<std::size_t>(best)])) best = k;
    b.r = best;
  }
  return ecg;
}

}  // namespace heartwave
