// Noise models (unit RMS, seeding, spectral band, transients) and the
// NSTDB-style signal-to-noise ratio, measured back.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <numeric>

#include "heartwave/core/error.hpp"
#include "heartwave/dsp/filter.hpp"
#include "heartwave/dsp/noise.hpp"
#include "heartwave/dsp/synthetic.hpp"

using namespace heartwave;

namespace {

using Model = std::function<std::vector<double>(std::size_t, double, std::uint64_t)>;

const std::vector<std::pair<const char*, Model>>& models() {
  static const std::vector<std::pair<const char*, Model>> m{
      {"bw", [](std::size_t n, double fs, std::uint64_t s) { return baseline_wander_noise(n, fs, s); }},
      {"ma", [](std::size_t n, double fs, std::uint64_t s) { return muscle_noise(n, fs, s); }},
      {"em", [](std::size_t n, double fs, std::uint64_t s) { return electrode_motion_noise(n, fs, s); }},
  };
  return m;
}

double mean_square(std::span<const double> x) {
  double s = 0;
  for (double v : x) s += v * v;
  return s / static_cast<double>(x.size());
}

// Share of x's power that a zero-phase Butterworth (order 4) lets through.
double power_share(const std::vector<double>& x, double fs, FilterType type, std::vector<double> cut) {
  return mean_square(filtfilt(butter(4, cut, type, fs), x)) / mean_square(x);
}

// RMS of each whole window of `seconds`.
std::vector<double> window_rms(const std::vector<double>& x, double fs, double seconds) {
  const auto w = static_cast<std::size_t>(seconds * fs);
  std::vector<double> r;
  for (std::size_t b = 0; b + w <= x.size(); b += w) r.push_back(std::sqrt(mean_square(std::span(x).subspan(b, w))));
  return r;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

TEST(SeededRandom, PinnedPortableStream) {
  // The uniforms are exact functions of std::mt19937_64's standard-specified
  // output: these values hold on every platform.
  SeededRandom a(5489);  // mt19937_64's default seed; its first output is 14514284786278117030
  EXPECT_EQ(a.uniform(), static_cast<double>(14514284786278117030ull >> 11) * 0x1.0p-53);
  SeededRandom r(1), s(1);
  double sum = 0, sq = 0;
  for (int i = 0; i < 200000; ++i) {
    const double g = r.gaussian();
    ASSERT_EQ(g, s.gaussian());
    sum += g;
    sq += g * g;
  }
  EXPECT_NEAR(sum / 200000, 0.0, 0.01);
  EXPECT_NEAR(sq / 200000, 1.0, 0.01);
  EXPECT_NE(derive_seed(1, 0), derive_seed(1, 1));
  EXPECT_NE(derive_seed(1, 0), derive_seed(2, 0));
}

TEST(Noise, UnitRmsZeroMeanAndSeeded) {
  for (const auto& [name, model] : models()) {
    for (double fs : {250.0, 360.0, 1000.0}) {
      const std::vector<double> x = model(static_cast<std::size_t>(60 * fs), fs, 9);
      ASSERT_EQ(x.size(), static_cast<std::size_t>(60 * fs));
      EXPECT_NEAR(mean_square(x), 1.0, 1e-9) << name << " " << fs;
      EXPECT_NEAR(std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size()), 0.0, 1e-9) << name;
      for (double v : x) ASSERT_TRUE(std::isfinite(v)) << name;
      EXPECT_EQ(model(x.size(), fs, 9), x) << name << ": same seed";
      EXPECT_NE(model(x.size(), fs, 10), x) << name << ": other seed";
    }
    EXPECT_TRUE(model(0, 360, 1).empty());
  }
}

TEST(Noise, BaselineWanderIsBelowHalfAHertz) {
  // At 20 Hz: a Butterworth band-pass at 0.13 Hz is ill-conditioned in
  // b/a form at ECG rates, and the model is the same at any rate.
  const double fs = 20;
  const std::vector<double> x = baseline_wander_noise(static_cast<std::size_t>(600 * fs), fs, 3);
  EXPECT_LT(power_share(x, fs, FilterType::highpass, {0.7}), 0.01);
  // About half of it is respiration (0.15-0.3 Hz).
  EXPECT_GT(power_share(x, fs, FilterType::bandpass, {0.13, 0.33}), 0.3);
}

TEST(Noise, MuscleNoiseIsInItsBandAndComesInBursts) {
  const double fs = 1000;
  const std::vector<double> x = muscle_noise(static_cast<std::size_t>(120 * fs), fs, 4);
  EXPECT_LT(power_share(x, fs, FilterType::lowpass, {8.0}), 0.01);
  EXPECT_LT(power_share(x, fs, FilterType::highpass, {300.0}), 0.01);
  EXPECT_GT(power_share(x, fs, FilterType::bandpass, {15.0, 200.0}), 0.9);
  const std::vector<double> r = window_rms(x, fs, 0.25);
  EXPECT_GT(*std::max_element(r.begin(), r.end()), 3.0 * *std::min_element(r.begin(), r.end()));
  // At 250 Hz the upper edge is capped at 0.45 fs = 112.5 Hz.
  const std::vector<double> y = muscle_noise(static_cast<std::size_t>(120 * 250), 250, 4);
  EXPECT_LT(power_share(y, 250, FilterType::highpass, {120.0}), 0.05);
  EXPECT_THROW(muscle_noise(1000, 40, 1), InvalidArgument);  // 20 Hz >= 0.45 * 40
}

TEST(Noise, ElectrodeMotionHasTransientsInTheQrsBand) {
  const double fs = 360;
  const std::vector<double> x = electrode_motion_noise(static_cast<std::size_t>(300 * fs), fs, 5);
  // Mostly below 30 Hz, with a good share inside the QRS band (the rest is
  // the steps' slow recovery and the wander).
  EXPECT_LT(power_share(x, fs, FilterType::highpass, {30.0}), 0.1);
  const std::vector<double> band = filtfilt(butter(2, std::vector<double>{1.0, 15.0}, FilterType::bandpass, fs), x);
  EXPECT_GT(mean_square(band) / mean_square(x), 0.15);
  // Transients: some seconds carry far more QRS-band energy than the typical one.
  const std::vector<double> r = window_rms(band, fs, 1.0);
  EXPECT_GT(*std::max_element(r.begin(), r.end()), 4.0 * median(r));
  // Heavy tails: the kurtosis of a Gaussian is 3.
  double m4 = 0;
  for (double v : x) m4 += v * v * v * v;
  EXPECT_GT(m4 / static_cast<double>(x.size()), 4.0);
  // Without wander and muscle noise it is quiet between rare transients.
  ElectrodeMotionParams p;
  p.event_rate_hz = 0.03;
  p.wander_power_fraction = p.muscle_power_fraction = 0;
  const std::vector<double> t = electrode_motion_noise(static_cast<std::size_t>(300 * fs), fs, 5, p);
  const double rest = median(t);
  const auto quiet = std::count_if(t.begin(), t.end(), [&](double v) { return std::abs(v - rest) < 1e-9; });
  EXPECT_GT(static_cast<double>(quiet) / static_cast<double>(t.size()), 0.3);
  EXPECT_LT(static_cast<double>(quiet) / static_cast<double>(t.size()), 0.99);
}

TEST(Snr, SignalPowerIsTheTrimmedPeakToPeakSquaredOverEight) {
  const double fs = 100;
  std::vector<double> ecg(41000, 0.0);
  std::vector<std::int64_t> r{2};  // its +-50 ms window leaves the signal: skipped
  ecg[2] = 100.0;
  for (int i = 0; i < 400; ++i) {
    const std::int64_t k = 50 + 100 * i;
    r.push_back(k);
    // Of the first 300 measured, 5 too large and 5 too small: trimmed (15 each side).
    ecg[static_cast<std::size_t>(k)] = i >= 300 ? 5.0 : i < 5 ? 10.0 : i < 10 ? 0.1 : 1.0;
    ecg[static_cast<std::size_t>(k + 5)] = -0.5;  // inside the window: ptp 1.5 for the 1.0 beats
    ecg[static_cast<std::size_t>(k + 6)] = -9.0;  // just outside it
  }
  EXPECT_DOUBLE_EQ(ecg_signal_power(ecg, r, fs), 1.5 * 1.5 / 8.0);
  EXPECT_THROW(ecg_signal_power(ecg, std::vector<std::int64_t>{2}, fs), InvalidArgument);
}

TEST(Snr, NstNoisePowerIgnoresEachSecondsMean) {
  const double fs = 100;
  std::vector<double> x(2000);
  for (std::size_t k = 0; k < x.size(); ++k)
    x[k] = std::sqrt(2.0) * std::sin(2 * std::numbers::pi * 5.0 * static_cast<double>(k) / fs) + static_cast<double>(k / 100) * 3.0;
  EXPECT_NEAR(nst_noise_power(x, fs), 1.0, 1e-9);
  EXPECT_THROW(nst_noise_power(std::vector<double>(50, 1.0), fs), InvalidArgument);
}

TEST(Snr, AddNoiseGivesTheRequestedSnr) {
  SyntheticOptions o;
  o.seconds = 120;
  o.pvc_fraction = 0.1;
  const SyntheticEcg e = synthetic_ecg(o);
  std::vector<std::int64_t> normal;
  for (const SyntheticBeat& b : e.beats)
    if (b.label == 'N') normal.push_back(b.r);
  const std::vector<double>& ecg = e.leads[0];
  const double s = ecg_signal_power(ecg, normal, o.fs);
  EXPECT_NEAR(s, 1.25 * 1.25 / 8, 0.03);  // R 1 mV, S about -0.25 mV
  for (const auto& [name, model] : models()) {
    const std::vector<double> noise = model(ecg.size(), o.fs, 21);
    for (double snr : {24.0, 18.0, 12.0, 6.0, 0.0, -6.0}) {
      const std::vector<double> y = add_noise_at_snr(ecg, noise, s, snr);
      std::vector<double> added(y.size());
      for (std::size_t k = 0; k < y.size(); ++k) added[k] = y[k] - ecg[k];
      EXPECT_NEAR(10 * std::log10(s / mean_square(added)), snr, 0.1) << name << " " << snr;
      // Scaled as nst does, measured back as nst does.
      const std::vector<double> z = add_noise_at_snr(ecg, noise, s, snr, nst_noise_power(noise, o.fs));
      for (std::size_t k = 0; k < z.size(); ++k) added[k] = z[k] - ecg[k];
      EXPECT_NEAR(10 * std::log10(s / nst_noise_power(added, o.fs)), snr, 0.1) << name << " nst " << snr;
    }
  }
  // Noise shorter than the ECG repeats from its start; N is over what was added.
  const std::vector<double> shortn = muscle_noise(10000, o.fs, 2);
  const std::vector<double> y = add_noise_at_snr(ecg, shortn, s, 6.0);
  std::vector<double> added(y.size());
  for (std::size_t k = 0; k < y.size(); ++k) added[k] = y[k] - ecg[k];
  EXPECT_NEAR(added[12345], added[2345], 1e-12);
  EXPECT_NEAR(10 * std::log10(s / mean_square(added)), 6.0, 0.1);
  EXPECT_THROW(add_noise_at_snr(ecg, std::vector<double>{}, s, 6.0), InvalidArgument);
  EXPECT_THROW(noise_gain_for_snr(0.0, 1.0, 6.0), InvalidArgument);
}
