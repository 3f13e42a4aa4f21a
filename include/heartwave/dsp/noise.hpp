// Seeded ECG noise models after the three noise records of the MIT-BIH Noise
// Stress Test Database (bw, ma, em), and the signal-to-noise ratio as its
// `nst` program defines it. Pure functions: spans in, vectors out. Every
// generator returns zero-mean, unit-RMS, unit-free noise; the caller scales
// it (add_noise_at_snr). See docs/noise-models.md.
#pragma once
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace heartwave {

// Seeded random numbers for the synthetic signals. std::mt19937_64's output
// sequence is fixed by the C++ standard, but the standard distributions are
// implementation-defined, so the doubles and Gaussians are made here from
// its 64-bit outputs: the same seed gives the same stream on every platform.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() { return engine_(); }
  double uniform();                        // [0, 1), 53 random bits
  double uniform(double lo, double hi);    // [lo, hi)
  double gaussian();                       // N(0, 1), Box-Muller
  double exponential(double rate);         // mean 1 / rate

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// The seed of an independent sub-stream `stream` of `seed` (splitmix64 of
// both), so that the parts of one model do not share random numbers.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) noexcept;

// "bw": respiration (a few sinusoids in the breathing band) plus slow drift
// (sinusoids with 1/f amplitudes), all below drift_high_hz.
struct BaselineWanderParams {
  double resp_low_hz = 0.15, resp_high_hz = 0.3;
  int resp_components = 2;
  double drift_low_hz = 0.05, drift_high_hz = 0.5;  // nstdb removed drift below 0.05 Hz
  int drift_components = 6;
  double resp_power_fraction = 0.5;  // of the total power, the rest is drift
};

// "ma": Gaussian white noise band-passed low_hz..high_hz (high capped at
// 0.45 fs; Butterworth high-pass then low-pass of `order` each), multiplied
// by an envelope: a tonic floor plus Hann-shaped bursts at Poisson times.
struct MuscleParams {
  double low_hz = 20.0, high_hz = 150.0;
  int order = 4;
  double floor = 0.3;                         // envelope between bursts
  double burst_rate_hz = 0.3;                 // bursts per second
  double burst_min_s = 0.3, burst_max_s = 1.5;
  double burst_min_gain = 0.5, burst_max_gain = 2.0;
};

// "em": transients at Poisson times, each either a band-limited burst
// (burst_low_hz..burst_high_hz noise under a Hann window) or a step with
// exponential recovery (difference of exponentials: fast rise, slow decay),
// plus some baseline wander and muscle noise, as the em record has.
struct ElectrodeMotionParams {
  double event_rate_hz = 0.3;                 // one transient every ~3.3 s
  double step_fraction = 0.4;                 // share of transients that are steps
  double burst_low_hz = 1.0, burst_high_hz = 15.0;  // high capped at 0.45 fs
  double burst_min_s = 0.15, burst_max_s = 0.6;
  double step_rise_s = 0.01;
  double step_recovery_min_s = 0.2, step_recovery_max_s = 0.8;
  double min_gain = 0.5, max_gain = 1.5;      // per transient
  double wander_power_fraction = 0.15;        // of the total power
  double muscle_power_fraction = 0.05;
};

std::vector<double> baseline_wander_noise(std::size_t n, double fs, std::uint64_t seed,
                                          const BaselineWanderParams& p = {});
std::vector<double> muscle_noise(std::size_t n, double fs, std::uint64_t seed, const MuscleParams& p = {});
std::vector<double> electrode_motion_noise(std::size_t n, double fs, std::uint64_t seed,
                                           const ElectrodeMotionParams& p = {});

// nst's S: the peak-to-peak amplitude (max - min over r-50 ms..r+50 ms) of
// each of the first 300 beats in `r_peaks` whose window lies inside `ecg`
// (pass the normal beats: nst measures those only), the largest and smallest
// n/20 discarded, the rest averaged; S = mean^2 / 8. Throws InvalidArgument
// when no beat can be measured.
double ecg_signal_power(std::span<const double> ecg, std::span<const std::int64_t> r_peaks, double fs);

// nst's N at unit gain: the RMS about its own mean of each whole 1 s chunk of
// the first 300 s of `noise`, trimmed as above, averaged and squared.
double nst_noise_power(std::span<const double> noise, double fs);

// The gain g with 10 log10(signal_power / (g^2 noise_power)) == snr_db.
double noise_gain_for_snr(double signal_power, double noise_power, double snr_db);

// ecg + g * noise, the noise repeated from its start when shorter than ecg
// (as nst rewinds its noise record). N is the mean square of the noise
// samples added (1 for the generators above at full length).
std::vector<double> add_noise_at_snr(std::span<const double> ecg, std::span<const double> unit_noise,
                                     double signal_power, double snr_db);
// The same with N given, e.g. nst_noise_power(noise, fs) to scale as nst does.
std::vector<double> add_noise_at_snr(std::span<const double> ecg, std::span<const double> noise,
                                     double signal_power, double snr_db, double noise_power);

}  // namespace heartwave
