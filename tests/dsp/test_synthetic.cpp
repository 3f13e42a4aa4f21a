// Synthetic ECG: beat rate, R positions, polarity, PVCs, seeding, the same
// beats at every sampling rate, and a 24-hour recording.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include "heartwave/core/error.hpp"
#include "heartwave/dsp/synthetic.hpp"

using namespace heartwave;

namespace {

SyntheticOptions opts(double fs, double seconds, std::uint64_t seed = 1) {
  SyntheticOptions o;
  o.fs = fs;
  o.seconds = seconds;
  o.seed = seed;
  return o;
}

// Width (s) of the deflection at `r` where |x| stays above half of |x[r]|.
double half_width(const std::vector<double>& x, std::int64_t r, double fs) {
  const double half = std::abs(x[static_cast<std::size_t>(r)]) / 2.0;
  std::int64_t a = r, b = r;
  while (a > 0 && std::abs(x[static_cast<std::size_t>(a - 1)]) > half) --a;
  while (b + 1 < static_cast<std::int64_t>(x.size()) && std::abs(x[static_cast<std::size_t>(b + 1)]) > half) ++b;
  return static_cast<double>(b - a + 1) / fs;
}

}  // namespace

TEST(SyntheticEcg, BeatsAtTheRequestedRate) {
  for (double bpm : {45.0, 70.0, 150.0}) {
    SyntheticOptions o = opts(360, 120);
    o.heart_rate_bpm = bpm;
    const SyntheticEcg e = synthetic_ecg(o);
    ASSERT_EQ(e.leads.size(), 2u);
    ASSERT_EQ(e.leads[0].size(), 120u * 360u);
    const double expected = 120.0 * bpm / 60.0;
    EXPECT_NEAR(static_cast<double>(e.beats.size()), expected, 3.0) << bpm << " bpm";
    // Mean RR from the first to the last beat, against 60 / bpm.
    const double span = static_cast<double>(e.beats.back().r - e.beats.front().r) / 360.0;
    EXPECT_NEAR(span / static_cast<double>(e.beats.size() - 1), 60.0 / bpm, 0.02 * 60.0 / bpm) << bpm << " bpm";
    for (std::size_t i = 1; i < e.beats.size(); ++i) ASSERT_GT(e.beats[i].r, e.beats[i - 1].r);
  }
}

TEST(SyntheticEcg, RPeaksAreExtremaOfLeadZero) {
  for (double fs : {250.0, 360.0}) {
    SyntheticOptions o = opts(fs, 120, 7);
    o.pvc_fraction = 0.2;
    o.amplitude_mv = 1.5;
    const SyntheticEcg e = synthetic_ecg(o);
    const auto& x = e.leads[0];
    const auto w = static_cast<std::int64_t>(std::llround(0.02 * fs));
    for (const SyntheticBeat& b : e.beats) {
      for (std::int64_t k = std::max<std::int64_t>(0, b.r - w); k <= std::min<std::int64_t>(x.size() - 1, b.r + w); ++k)
        ASSERT_LE(std::abs(x[static_cast<std::size_t>(k)]), std::abs(x[static_cast<std::size_t>(b.r)])) << b.r;
      const double v = x[static_cast<std::size_t>(b.r)];
      if (b.label == 'N') {
        EXPECT_NEAR(v, 1.5, 0.05) << "normal R at " << b.r;  // amplitude_mv
      } else {
        EXPECT_LT(v, -1.0) << "PVC at " << b.r;  // opposite polarity
      }
    }
  }
}

TEST(SyntheticEcg, InvertFlipsTheSign) {
  SyntheticOptions o = opts(360, 30, 3);
  o.pvc_fraction = 0.1;
  const SyntheticEcg a = synthetic_ecg(o);
  o.invert = true;
  const SyntheticEcg b = synthetic_ecg(o);
  ASSERT_EQ(a.beats.size(), b.beats.size());
  for (std::size_t i = 0; i < a.beats.size(); ++i) {
    EXPECT_EQ(a.beats[i].r, b.beats[i].r);
    EXPECT_EQ(a.beats[i].label, b.beats[i].label);
  }
  for (std::size_t l = 0; l < 2; ++l)
    for (std::size_t k = 0; k < a.leads[l].size(); ++k) ASSERT_EQ(b.leads[l][k], -a.leads[l][k]) << l << " " << k;
  EXPECT_LT(b.leads[0][static_cast<std::size_t>(b.beats[0].r)], -0.9);
}

TEST(SyntheticEcg, PvcFractionTimingAndShape) {
  SyntheticOptions o = opts(360, 1800, 11);
  o.pvc_fraction = 0.2;
  const SyntheticEcg e = synthetic_ecg(o);
  const double rr = 60.0 / o.heart_rate_bpm * 360.0;  // samples
  std::size_t v = 0;
  double width_n = 0, width_v = 0;
  std::size_t nn = 0;
  for (std::size_t i = 0; i < e.beats.size(); ++i) {
    const SyntheticBeat& b = e.beats[i];
    ASSERT_TRUE(b.label == 'N' || b.label == 'V');
    if (b.label == 'N') {
      if (nn++ < 200) width_n += half_width(e.leads[0], b.r, 360);
      continue;
    }
    ++v;
    width_v += half_width(e.leads[0], b.r, 360);
    ASSERT_GT(i, 0u);
    ASSERT_LT(i + 1, e.beats.size());
    EXPECT_EQ(e.beats[i - 1].label, 'N');
    EXPECT_EQ(e.beats[i + 1].label, 'N');
    // Premature (coupling 0.6 RR), then a compensatory pause (2 RR in all).
    const double coupling = static_cast<double>(b.r - e.beats[i - 1].r) / rr;
    const double both = static_cast<double>(e.beats[i + 1].r - e.beats[i - 1].r) / rr;
    EXPECT_NEAR(coupling, 0.6, 0.1);
    EXPECT_NEAR(both, 2.0, 0.35);
  }
  const double fraction = static_cast<double>(v) / static_cast<double>(e.beats.size());
  EXPECT_NEAR(fraction, 0.2, 0.03);
  // Wide: the PVC's main deflection lasts far longer than the R wave (about 2.3x by design).
  EXPECT_GT(width_v / static_cast<double>(v), 1.8 * width_n / 200.0);

  o.pvc_fraction = 0.5;  // bigeminy: N V N V ...
  const SyntheticEcg big = synthetic_ecg(o);
  for (std::size_t i = 0; i < big.beats.size(); ++i) ASSERT_EQ(big.beats[i].label, i % 2 ? 'V' : 'N') << i;
  o.pvc_fraction = 0;
  for (const SyntheticBeat& b : synthetic_ecg(o).beats) ASSERT_EQ(b.label, 'N');
}

TEST(SyntheticEcg, SecondLeadIsAnotherView) {
  const SyntheticEcg e = synthetic_ecg(opts(360, 20));
  // V1-like: the QRS mostly negative where lead 0's is positive.
  double min1 = 0, max1 = 0;
  for (double v : e.leads[1]) min1 = std::min(min1, v), max1 = std::max(max1, v);
  EXPECT_LT(min1, -0.5);
  EXPECT_GT(-min1, max1);
  SyntheticOptions o = opts(360, 20);
  o.leads = 3;
  const SyntheticEcg three = synthetic_ecg(o);
  ASSERT_EQ(three.leads.size(), 3u);
  EXPECT_EQ(three.leads[0], e.leads[0]);
  EXPECT_NE(three.leads[1], e.leads[1]);
}

TEST(SyntheticEcg, SeedDecides) {
  SyntheticOptions o = opts(250, 60, 42);
  o.pvc_fraction = 0.1;
  const SyntheticEcg a = synthetic_ecg(o), b = synthetic_ecg(o);
  EXPECT_EQ(a.leads, b.leads);
  ASSERT_EQ(a.beats.size(), b.beats.size());
  for (std::size_t i = 0; i < a.beats.size(); ++i) EXPECT_EQ(a.beats[i].r, b.beats[i].r);
  o.seed = 43;
  const SyntheticEcg c = synthetic_ecg(o);
  EXPECT_NE(a.leads[0], c.leads[0]);
  bool beats_differ = a.beats.size() != c.beats.size();
  for (std::size_t i = 0; !beats_differ && i < a.beats.size(); ++i)
    beats_differ = a.beats[i].r != c.beats[i].r || a.beats[i].label != c.beats[i].label;
  EXPECT_TRUE(beats_differ);
}

TEST(SyntheticEcg, SameBeatTimesAtEveryRate) {
  SyntheticOptions o = opts(1000, 60, 5);
  o.pvc_fraction = 0.15;
  const SyntheticEcg ref = synthetic_ecg(o);
  for (double fs : {100.0, 250.0, 360.0, 500.0}) {
    o.fs = fs;
    const SyntheticEcg e = synthetic_ecg(o);
    ASSERT_EQ(e.leads[0].size(), static_cast<std::size_t>(60 * fs));
    ASSERT_LE(std::abs(static_cast<long>(e.beats.size()) - static_cast<long>(ref.beats.size())), 1) << fs;
    const std::size_t m = std::min(e.beats.size(), ref.beats.size());
    ASSERT_GT(m, 60u);
    for (std::size_t i = 0; i < m; ++i) {
      EXPECT_EQ(e.beats[i].label, ref.beats[i].label) << fs << " beat " << i;
      EXPECT_LE(std::abs(static_cast<double>(e.beats[i].r) / fs - static_cast<double>(ref.beats[i].r) / 1000.0), 1.0 / fs)
          << fs << " beat " << i;
    }
  }
}

TEST(SyntheticEcg, TwentyFourHoursTwoLeadsAt250Hz) {
  SyntheticOptions o = opts(250, 24 * 3600.0);
  o.pvc_fraction = 0.05;
  const auto t0 = std::chrono::steady_clock::now();
  const SyntheticEcg e = synthetic_ecg(o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "24 h, 2 leads at 250 Hz: " << s << " s\n";
  ASSERT_EQ(e.leads.size(), 2u);
  EXPECT_EQ(e.leads[0].size(), 21'600'000u);
  EXPECT_EQ(e.leads[1].size(), 21'600'000u);
  EXPECT_NEAR(static_cast<double>(e.beats.size()), 24 * 60 * 70.0, 0.01 * 24 * 60 * 70.0);
}

TEST(SyntheticEcg, RejectsBadOptions) {
  auto bad = [](auto change) {
    SyntheticOptions o;
    change(o);
    EXPECT_THROW(synthetic_ecg(o), InvalidArgument);
  };
  bad([](SyntheticOptions& o) { o.fs = 0; });
  bad([](SyntheticOptions& o) { o.seconds = -1; });
  bad([](SyntheticOptions& o) { o.leads = 0; });
  bad([](SyntheticOptions& o) { o.heart_rate_bpm = 0; });
  bad([](SyntheticOptions& o) { o.rr_jitter = 0.5; });
  bad([](SyntheticOptions& o) { o.pvc_fraction = 0.6; });
  SyntheticOptions empty;
  empty.seconds = 0;
  EXPECT_TRUE(synthetic_ecg(empty).beats.empty());
}
