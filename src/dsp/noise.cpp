#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "heartwave/core/error.hpp"
#include "heartwave/dsp/filter.hpp"
#include "heartwave/dsp/noise.hpp"

namespace heartwave {

double SeededRandom::uniform() {
  // The top 53 bits: every double in [0, 1) on the 2^-53 grid, equally likely.
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

double SeededRandom::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double SeededRandom::gaussian() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // Box-Muller; u1 in (0, 1] so that log(u1) is finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double a = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(a);
  has_spare_ = true;
  return r * std::cos(a);
}

double SeededRandom::exponential(double rate) { return -std::log(1.0 - uniform()) / rate; }

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
  // splitmix64 finaliser over seed and stream: nearby seeds/streams give
  // unrelated mt19937_64 states.
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

namespace {

void check_rate(double fs, const char* what) {
  if (!(fs > 0.0) || !std::isfinite(fs)) throw InvalidArgument(std::string(what) + ": fs must be positive");
}

// Zero mean, unit RMS in place; all-zero (or constant) input stays zero.
void normalise(std::vector<double>& x) {
  if (x.empty()) return;
  double mean = 0.0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double ss = 0.0;
  for (double& v : x) {
    v -= mean;
    ss += v * v;
  }
  const double rms = std::sqrt(ss / static_cast<double>(x.size()));
  if (rms > 0.0)
    for (double& v : x) v /= rms;
}

// Unit white Gaussian noise band-passed lo..hi Hz (Butterworth high-pass then
// low-pass, `order` each: better conditioned than one band-pass of twice the
// order at a low edge of a few Hz), normalised. Generated with a lead-in
// that is dropped, so that the filters' start-up transient is not in it.
std::vector<double> band_noise(std::size_t n, double fs, double lo, double hi, int order, SeededRandom& rng) {
  const auto lead = static_cast<std::size_t>(std::ceil(3.0 * fs / lo));
  std::vector<double> w(n + lead);
  for (double& v : w) v = rng.gaussian();
  const double cut_lo[] = {lo}, cut_hi[] = {hi};
  w = lfilter(butter(order, cut_lo, FilterType::highpass, fs), w);
  w = lfilter(butter(order, cut_hi, FilterType::lowpass, fs), w);
  std::vector<double> out(w.begin() + static_cast<std::ptrdiff_t>(lead), w.end());
  normalise(out);
  return out;
}

// Adds gain * hann(t) * carrier[k] over [start_s, start_s + dur_s), or the
// window alone when carrier is empty.
void add_hann(std::vector<double>& out, std::span<const double> carrier, double fs, double start_s,
              double dur_s, double gain) {
  const auto n = static_cast<std::int64_t>(out.size());
  const auto k0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(start_s * fs)));
  const auto k1 = std::min<std::int64_t>(n, static_cast<std::int64_t>(std::ceil((start_s + dur_s) * fs)));
  for (std::int64_t k = k0; k < k1; ++k) {
    const double ph = (static_cast<double>(k) / fs - start_s) / dur_s;
    const double w = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * ph);
    out[static_cast<std::size_t>(k)] += gain * w * (carrier.empty() ? 1.0 : carrier[static_cast<std::size_t>(k)]);
  }
}

// Sum of sinusoids a_i sin(2 pi f_i t + phi_i), by rotating a phasor per
// component, re-anchored to exact sin/cos every block so rounding cannot drift.
void add_sinusoids(std::vector<double>& out, double fs, std::span<const double> f, std::span<const double> a,
                   std::span<const double> phi) {
  constexpr std::size_t kBlock = 4096;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const double w = 2.0 * std::numbers::pi * f[i] / fs;
    const double cw = std::cos(w), sw = std::sin(w);
    for (std::size_t b = 0; b < out.size(); b += kBlock) {
      const double ph = phi[i] + w * static_cast<double>(b);
      double s = std::sin(ph), c = std::cos(ph);
      const std::size_t e = std::min(out.size(), b + kBlock);
      for (std::size_t k = b; k < e; ++k) {
        out[k] += a[i] * s;
        const double s2 = s * cw + c * sw;
        c = c * cw - s * sw;
        s = s2;
      }
    }
  }
}

double upper_edge(double hi, double lo, double fs, const char* what) {
  const double edge = std::min(hi, 0.45 * fs);
  if (!(lo > 0.0) || !(edge > lo))
    throw InvalidArgument(std::string(what) + ": band " + std::to_string(lo) + "-" + std::to_string(hi) +
                          " Hz does not fit below 0.45 fs at fs " + std::to_string(fs));
  return edge;
}

bool fraction_ok(double f) { return f >= 0.0 && f <= 1.0; }

// Mean of the sorted values with the largest and smallest size/20 dropped
// (sigamp's trimmed mean).
double trimmed_mean(std::vector<double>& v) {
  std::sort(v.begin(), v.end());
  const std::size_t lo = v.size() / 20, hi = v.size() - lo;
  double s = 0.0;
  for (std::size_t i = lo; i < hi; ++i) s += v[i];
  return s / static_cast<double>(hi - lo);
}

}  // namespace

std::vector<double> baseline_wander_noise(std::size_t n, double fs, std::uint64_t seed,
                                          const BaselineWanderParams& p) {
  check_rate(fs, "baseline_wander_noise");
  if (p.resp_components < 0 || p.drift_components < 0 || p.resp_components + p.drift_components == 0 ||
      !(p.resp_low_hz > 0.0) || p.resp_high_hz < p.resp_low_hz || !(p.drift_low_hz > 0.0) ||
      p.drift_high_hz < p.drift_low_hz || std::max(p.resp_high_hz, p.drift_high_hz) >= fs / 2.0 ||
      !fraction_ok(p.resp_power_fraction))
    throw InvalidArgument("baseline_wander_noise: invalid parameters");
  SeededRandom rng(derive_seed(seed, 0));
  std::vector<double> f, a, phi;
  // Each group's amplitudes scaled to its share of the power (a sinusoid of
  // amplitude a has power a^2/2; cross terms average out).
  auto group = [&](int count, double lo, double hi, bool one_over_f, double share) {
    const std::size_t first = f.size();
    double power = 0.0;
    for (int i = 0; i < count; ++i) {
      f.push_back(rng.uniform(lo, hi));
      // 1/f amplitudes: the drift's spectrum falls steeply, as bw's does.
      a.push_back((one_over_f ? 1.0 / f.back() : 1.0) * rng.uniform(0.5, 1.5));
      phi.push_back(rng.uniform(0.0, 2.0 * std::numbers::pi));
      power += a.back() * a.back() / 2.0;
    }
    for (std::size_t i = first; i < a.size(); ++i) a[i] *= power > 0.0 ? std::sqrt(share / power) : 0.0;
  };
  const double resp_share = p.drift_components == 0 ? 1.0 : p.resp_components == 0 ? 0.0 : p.resp_power_fraction;
  group(p.resp_components, p.resp_low_hz, p.resp_high_hz, false, resp_share);
  group(p.drift_components, p.drift_low_hz, p.drift_high_hz, true, 1.0 - resp_share);
  std::vector<double> out(n, 0.0);
  add_sinusoids(out, fs, f, a, phi);
  normalise(out);
  return out;
}

std::vector<double> muscle_noise(std::size_t n, double fs, std::uint64_t seed, const MuscleParams& p) {
  check_rate(fs, "muscle_noise");
  const double hi = upper_edge(p.high_hz, p.low_hz, fs, "muscle_noise");
  if (p.order < 1 || p.order > 8 || p.floor < 0.0 || p.burst_rate_hz < 0.0 || !(p.burst_min_s > 0.0) ||
      p.burst_max_s < p.burst_min_s || p.burst_min_gain < 0.0 || p.burst_max_gain < p.burst_min_gain)
    throw InvalidArgument("muscle_noise: invalid parameters");
  SeededRandom carrier_rng(derive_seed(seed, 1)), burst_rng(derive_seed(seed, 2));
  const std::vector<double> carrier = band_noise(n, fs, p.low_hz, hi, p.order, carrier_rng);
  // The envelope is slow (bursts of 0.3-1.5 s), so multiplying the band
  // noise by it keeps the spectrum in the band (it only smears by ~1 Hz).
  std::vector<double> out(n);
  for (std::size_t k = 0; k < n; ++k) out[k] = p.floor * carrier[k];
  const double seconds = static_cast<double>(n) / fs;
  if (p.burst_rate_hz > 0.0) {
    // Start one longest burst early so the record's start is not special.
    for (double t = -p.burst_max_s + burst_rng.exponential(p.burst_rate_hz); t < seconds;
         t += burst_rng.exponential(p.burst_rate_hz)) {
      const double dur = burst_rng.uniform(p.burst_min_s, p.burst_max_s);
      add_hann(out, carrier, fs, t, dur, burst_rng.uniform(p.burst_min_gain, p.burst_max_gain));
    }
  }
  normalise(out);
  return out;
}

std::vector<double> electrode_motion_noise(std::size_t n, double fs, std::uint64_t seed,
                                           const ElectrodeMotionParams& p) {
  check_rate(fs, "electrode_motion_noise");
  const double hi = upper_edge(p.burst_high_hz, p.burst_low_hz, fs, "electrode_motion_noise");
  if (p.event_rate_hz < 0.0 || !fraction_ok(p.step_fraction) || !(p.burst_min_s > 0.0) ||
      p.burst_max_s < p.burst_min_s || !(p.step_rise_s > 0.0) || !(p.step_recovery_min_s > p.step_rise_s) ||
      p.step_recovery_max_s < p.step_recovery_min_s || p.min_gain < 0.0 || p.max_gain < p.min_gain ||
      !fraction_ok(p.wander_power_fraction) || !fraction_ok(p.muscle_power_fraction) ||
      p.wander_power_fraction + p.muscle_power_fraction > 1.0)
    throw InvalidArgument("electrode_motion_noise: invalid parameters");
  SeededRandom carrier_rng(derive_seed(seed, 3)), event_rng(derive_seed(seed, 4));
  const std::vector<double> carrier = band_noise(n, fs, p.burst_low_hz, hi, 2, carrier_rng);
  std::vector<double> tr(n, 0.0);
  const double seconds = static_cast<double>(n) / fs;
  const auto ni = static_cast<std::int64_t>(n);
  if (p.event_rate_hz > 0.0) {
    for (double t = event_rng.exponential(p.event_rate_hz); t < seconds; t += event_rng.exponential(p.event_rate_hz)) {
      // Every event draws the same four numbers whatever its kind, so the
      // event times do not depend on step_fraction.
      const bool step = event_rng.uniform() < p.step_fraction;
      const double gain = event_rng.uniform(p.min_gain, p.max_gain);
      const double shape = event_rng.uniform();
      const double sign = event_rng.uniform() < 0.5 ? -1.0 : 1.0;
      if (!step) {
        add_hann(tr, carrier, fs, t, p.burst_min_s + shape * (p.burst_max_s - p.burst_min_s), gain * sign);
        continue;
      }
      // A sudden offset that the electrode's half-cell potential slowly
      // recovers from: exp(-d/tau) - exp(-d/rise), ~1.5 gain at its peak,
      // written until it has decayed below 1e-6 (14 tau).
      const double tau = p.step_recovery_min_s + shape * (p.step_recovery_max_s - p.step_recovery_min_s);
      const double height = 1.5 * gain * sign;
      const auto k0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(t * fs)));
      const auto k1 = std::min<std::int64_t>(ni, static_cast<std::int64_t>(std::ceil((t + 14.0 * tau) * fs)));
      for (std::int64_t k = k0; k < k1; ++k) {
        const double d = static_cast<double>(k) / fs - t;
        tr[static_cast<std::size_t>(k)] += height * (std::exp(-d / tau) - std::exp(-d / p.step_rise_s));
      }
    }
  }
  normalise(tr);
  // Mixed in only when asked for, so that a rate too low for the muscle
  // band does not fail a model that does not use it.
  const double wt = std::sqrt(1.0 - p.wander_power_fraction - p.muscle_power_fraction);
  for (double& v : tr) v *= wt;
  auto mix = [&](const std::vector<double>& part, double fraction) {
    const double w = std::sqrt(fraction);
    for (std::size_t k = 0; k < n; ++k) tr[k] += w * part[k];
  };
  if (p.wander_power_fraction > 0.0) mix(baseline_wander_noise(n, fs, derive_seed(seed, 5)), p.wander_power_fraction);
  if (p.muscle_power_fraction > 0.0) mix(muscle_noise(n, fs, derive_seed(seed, 6)), p.muscle_power_fraction);
  normalise(tr);
  return tr;
}

double ecg_signal_power(std::span<const double> ecg, std::span<const std::int64_t> r_peaks, double fs) {
  check_rate(fs, "ecg_signal_power");
  constexpr std::size_t kMaxBeats = 300;  // sigamp's NMAX
  const std::int64_t half = std::llround(0.05 * fs);
  const auto n = static_cast<std::int64_t>(ecg.size());
  std::vector<double> ptp;
  for (std::int64_t r : r_peaks) {
    if (ptp.size() == kMaxBeats) break;
    if (r - half < 0 || r + half >= n) continue;
    const auto first = ecg.begin() + (r - half), last = ecg.begin() + (r + half + 1);
    const auto [lo, hi] = std::minmax_element(first, last);
    ptp.push_back(*hi - *lo);
  }
  if (ptp.empty()) throw InvalidArgument("ecg_signal_power: no beat with its +-50 ms window inside the signal");
  const double a = trimmed_mean(ptp);
  return a * a / 8.0;  // the power of a sinusoid of that peak-to-peak amplitude
}

double nst_noise_power(std::span<const double> noise, double fs) {
  check_rate(fs, "nst_noise_power");
  constexpr std::size_t kMaxChunks = 300;
  const auto chunk = static_cast<std::size_t>(std::max<long long>(1, std::llround(fs)));
  std::vector<double> rms;
  for (std::size_t b = 0; b + chunk <= noise.size() && rms.size() < kMaxChunks; b += chunk) {
    double mean = 0.0;
    for (std::size_t k = b; k < b + chunk; ++k) mean += noise[k];
    mean /= static_cast<double>(chunk);
    double ss = 0.0;
    for (std::size_t k = b; k < b + chunk; ++k) ss += (noise[k] - mean) * (noise[k] - mean);
    rms.push_back(std::sqrt(ss / static_cast<double>(chunk)));
  }
  if (rms.empty()) throw InvalidArgument("nst_noise_power: noise shorter than one second");
  const double a = trimmed_mean(rms);
  return a * a;
}

double noise_gain_for_snr(double signal_power, double noise_power, double snr_db) {
  if (!(signal_power > 0.0) || !(noise_power > 0.0) || !std::isfinite(snr_db))
    throw InvalidArgument("noise_gain_for_snr: powers must be positive and the SNR finite");
  return std::sqrt(signal_power / (noise_power * std::pow(10.0, snr_db / 10.0)));
}

std::vector<double> add_noise_at_snr(std::span<const double> ecg, std::span<const double> noise,
                                     double signal_power, double snr_db, double noise_power) {
  if (noise.empty()) throw InvalidArgument("add_noise_at_snr: empty noise");
  const double g = noise_gain_for_snr(signal_power, noise_power, snr_db);
  std::vector<double> out(ecg.size());
  for (std::size_t k = 0, j = 0; k < ecg.size(); ++k, j = j + 1 == noise.size() ? 0 : j + 1)
    out[k] = ecg[k] + g * noise[j];
  return out;
}

std::vector<double> add_noise_at_snr(std::span<const double> ecg, std::span<const double> unit_noise,
                                     double signal_power, double snr_db) {
  if (unit_noise.empty()) throw InvalidArgument("add_noise_at_snr: empty noise");
  if (ecg.empty()) return {};
  // Mean square over exactly the samples added (whole repeats and the rest).
  double total = 0.0, partial = 0.0;
  const std::size_t reps = ecg.size() / unit_noise.size(), rest = ecg.size() % unit_noise.size();
  for (std::size_t j = 0; j < unit_noise.size(); ++j) {
    const double v = unit_noise[j] * unit_noise[j];
    total += v;
    if (j < rest) partial += v;
  }
  const double power = (static_cast<double>(reps) * total + partial) / static_cast<double>(ecg.size());
  return add_noise_at_snr(ecg, unit_noise, signal_power, snr_db, power);
}

}  // namespace heartwave
