#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "heartwave/core/error.hpp"
#include "heartwave/detect/qrs.hpp"
#include "heartwave/dsp/noise.hpp"
#include "heartwave/dsp/synthetic.hpp"

using namespace heartwave;

namespace {

struct Score {
  std::size_t tp = 0, fn = 0, fp = 0;
  double worst_ms = 0;  // of the normal beats (a PVC's main deflection is less sharply placed)
};

// Each true beat matched to the nearest detection within 75 ms (each used once).
Score score(const std::vector<SyntheticBeat>& truth, const std::vector<std::int64_t>& found, double fs) {
  Score s;
  const auto window = static_cast<std::int64_t>(0.075 * fs);
  std::vector<bool> used(found.size(), false);
  std::size_t j = 0;
  for (const auto& b : truth) {
    while (j < found.size() && found[j] < b.r - window) ++j;
    std::ptrdiff_t best = -1;
    for (std::size_t k = j; k < found.size() && found[k] <= b.r + window; ++k)
      if (!used[k] && (best < 0 || std::llabs(found[k] - b.r) < std::llabs(found[static_cast<std::size_t>(best)] - b.r)))
        best = static_cast<std::ptrdiff_t>(k);
    if (best < 0) {
      ++s.fn;
      continue;
    }
    used[static_cast<std::size_t>(best)] = true;
    ++s.tp;
    if (b.label == 'N') s.worst_ms = std::max(s.worst_ms, 1000.0 * static_cast<double>(std::llabs(found[static_cast<std::size_t>(best)] - b.r)) / fs);
  }
  s.fp = found.size() - s.tp;
  return s;
}

void expect_valid(const std::vector<std::int64_t>& beats, double fs, std::size_t n) {
  for (std::size_t i = 0; i < beats.size(); ++i) {
    EXPECT_GE(beats[i], 0);
    EXPECT_LT(beats[i], static_cast<std::int64_t>(n));
    if (i) {
      EXPECT_GE(beats[i] - beats[i - 1], static_cast<std::int64_t>(0.2 * fs) - 1) << "beats " << i - 1 << " and " << i;
    }
  }
}

}  // namespace

// The same detector, untuned, at every rate from 100 Hz to 1 kHz, on either
// polarity, with and without PVCs: every beat, no extra, R within 20 ms.
TEST(QrsDetector, FindsEveryBeatAtAnySamplingRateAndPolarity) {
  for (const double fs : {100.0, 128.0, 250.0, 360.0, 500.0, 1000.0}) {
    for (const bool invert : {false, true}) {
      SyntheticOptions o;
      o.fs = fs;
      o.seconds = 120;
      o.heart_rate_bpm = 75;
      o.pvc_fraction = 0.1;
      o.invert = invert;
      o.seed = 7;
      const SyntheticEcg ecg = synthetic_ecg(o);
      const auto found = detect_qrs(ecg.leads[0], fs);
      const Score s = score(ecg.beats, found, fs);
      SCOPED_TRACE("fs " + std::to_string(fs) + (invert ? " inverted" : ""));
      // The first beats fall in the 2-second learning span and are found too.
      EXPECT_EQ(s.fn, 0u);
      EXPECT_EQ(s.fp, 0u);
      EXPECT_LE(s.worst_ms, 20.0);
      expect_valid(found, fs, ecg.leads[0].size());
    }
  }
}

TEST(QrsDetector, FollowsFastAndSlowRates) {
  for (const double bpm : {40.0, 180.0}) {
    SyntheticOptions o;
    o.fs = 250;
    o.seconds = 90;
    o.heart_rate_bpm = bpm;
    o.seed = 3;
    const SyntheticEcg ecg = synthetic_ecg(o);
    const Score s = score(ecg.beats, detect_qrs(ecg.leads[0], o.fs), o.fs);
    EXPECT_EQ(s.fn, 0u) << bpm << " bpm";
    EXPECT_EQ(s.fp, 0u) << bpm << " bpm";
  }
}

// Streaming: blocks of any size give exactly the beats of one whole block,
// and each is reported within the stated delay.
TEST(QrsDetector, BlocksOfAnySizeGiveTheSameBeatsWithinTheStatedDelay) {
  SyntheticOptions o;
  o.fs = 360;
  o.seconds = 300;
  o.pvc_fraction = 0.15;
  o.seed = 11;
  SyntheticEcg ecg = synthetic_ecg(o);
  const auto noise = muscle_noise(ecg.leads[0].size(), o.fs, 5);
  for (std::size_t i = 0; i < noise.size(); ++i) ecg.leads[0][i] += 0.05 * noise[i];
  const std::vector<double>& x = ecg.leads[0];
  const auto batch = detect_qrs(x, o.fs);
  ASSERT_GT(batch.size(), 300u);
  std::mt19937_64 rng(42);
  for (int round = 0; round < 3; ++round) {
    const auto det = make_qrs_detector(kDefaultQrsDetector, o.fs);
    const auto delay = static_cast<std::int64_t>(std::ceil(det->delay_seconds() * o.fs));
    std::vector<std::int64_t> got;
    std::size_t at = 0;
    while (at < x.size()) {
      const std::size_t len = std::min<std::size_t>(x.size() - at, 1 + rng() % (round == 0 ? 10 : 10000));
      const std::size_t before = got.size();
      det->push(std::span<const double>(x).subspan(at, len), got);
      // A beat reported during this block was not yet overdue when it began.
      for (std::size_t k = before; k < got.size(); ++k)
        EXPECT_LE(static_cast<std::int64_t>(at) - got[k], delay) << "beat at " << got[k] << " reported in the block from " << at;
      at += len;
    }
    det->finish(got);
    EXPECT_EQ(got, batch) << "round " << round;
  }
}

TEST(QrsDetector, DegenerateSignalsGiveNoBeatsAndNeverHang) {
  const double fs = 250;
  // Empty, shorter than the learning span, flat, all NaN, infinities.
  EXPECT_TRUE(detect_qrs({}, fs).empty());
  SyntheticOptions o;
  o.fs = fs;
  o.seconds = 1.5;
  EXPECT_TRUE(detect_qrs(synthetic_ecg(o).leads[0], fs).empty());
  EXPECT_TRUE(detect_qrs(std::vector<double>(3600 * 250, 0.7), fs).empty());
  EXPECT_TRUE(detect_qrs(std::vector<double>(100000, std::nan("")), fs).empty());
  EXPECT_TRUE(detect_qrs(std::vector<double>(100000, std::numeric_limits<double>::infinity()), fs).empty());
  // An hour of white noise: whatever it reports is well formed (the time per
  // sample is bounded by construction; the benchmark measures it).
  std::mt19937_64 rng(1);
  std::normal_distribution<double> g;
  std::vector<double> noise(3600 * 250);
  for (double& v : noise) v = g(rng);
  const auto found = detect_qrs(noise, fs);
  expect_valid(found, fs, noise.size());
}

TEST(QrsDetector, GapsClippingAndLevelChangesAreSurvived) {
  SyntheticOptions o;
  o.fs = 360;
  o.seconds = 120;
  o.seed = 5;
  SyntheticEcg ecg = synthetic_ecg(o);
  std::vector<double> x = ecg.leads[0];
  // A 10-second gap of NaN (a lead off), then clipping at 0.6 mV, then the
  // signal at a tenth of its amplitude for the last 40 s.
  const auto gap_from = static_cast<std::size_t>(30 * o.fs), gap_to = static_cast<std::size_t>(40 * o.fs);
  for (std::size_t i = gap_from; i < gap_to; ++i) x[i] = std::nan("");
  for (std::size_t i = gap_to; i < static_cast<std::size_t>(80 * o.fs); ++i) x[i] = std::min(x[i], 0.6);
  for (std::size_t i = static_cast<std::size_t>(80 * o.fs); i < x.size(); ++i) x[i] *= 0.1;
  const auto found = detect_qrs(x, o.fs);
  expect_valid(found, o.fs, x.size());
  for (const auto t : found) EXPECT_FALSE(t > static_cast<std::int64_t>(gap_from + 0.1 * o.fs) && t < static_cast<std::int64_t>(gap_to)) << t;
  // Scored away from the gap and the 2 s after it (the filters settle).
  auto away = [&](std::int64_t t) { return t < static_cast<std::int64_t>(gap_from) || t > static_cast<std::int64_t>(gap_to + 2 * o.fs); };
  std::vector<SyntheticBeat> outside;
  for (const auto& b : ecg.beats)
    if (away(b.r)) outside.push_back(b);
  std::vector<std::int64_t> found_outside;
  for (const auto t : found)
    if (away(t)) found_outside.push_back(t);
  const Score s = score(outside, found_outside, o.fs);
  for (const auto t : found) {
    bool near = false;
    for (const auto& b : ecg.beats) near = near || std::llabs(b.r - t) < 0.075 * o.fs;
    if (!near) ADD_FAILURE() << "extra beat at " << t / o.fs << " s";
  }
  // The beats after the drop in level are found once the thresholds adapt (a few seconds).
  EXPECT_LE(s.fn, 6u);
  EXPECT_EQ(s.fp, 0u);
}

TEST(QrsDetector, NamesAndRatesAreChecked) {
  EXPECT_EQ(qrs_detector_names().front(), kDefaultQrsDetector);
  EXPECT_THROW(make_qrs_detector("nope", 360), InvalidArgument);
  EXPECT_THROW(make_qrs_detector(kDefaultQrsDetector, 10), InvalidArgument);
  EXPECT_THROW(make_qrs_detector(kDefaultQrsDetector, std::nan("")), InvalidArgument);
  const auto d = make_qrs_detector(kDefaultQrsDetector, 360);
  EXPECT_EQ(d->name(), kDefaultQrsDetector);
  EXPECT_GT(d->delay_seconds(), 0);
  EXPECT_LT(d->delay_seconds(), 5);
}
