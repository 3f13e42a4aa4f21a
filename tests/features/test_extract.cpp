#include <gtest/gtest.h>

#include "heartwave/annotation_codes.hpp"
#include "heartwave/error.hpp"
#include "heartwave/features.hpp"
#include "heartwave/preprocess.hpp"
#include "heartwave/wfdb_signal.hpp"
#include "support.hpp"

using namespace heartwave;

TEST(Extract, Record100SeedBeats) {
  const auto dir = heartwave::test::mitdb_dir();
  const Recording rec = to_recording(read_record(dir / "100"));
  const auto anns = read_annotations(dir / "100.atr");
  const Preprocessing pre;
  const RecordBeats rb = extract_beats(rec, anns, LabelSet::seed, pre);
  // 2273 beats (N 2239, A 33, V 1); the windows of the first and the last run
  // off the record.
  ASSERT_EQ(rb.beats.size(), 2271u);
  EXPECT_GE(rb.beats.front().r_sample, 93);
  EXPECT_LE(rb.beats.back().r_sample + 94, 650000);
  ASSERT_EQ(rb.windows.size(), rb.beats.size() * 187);
  ASSERT_EQ(rb.features.size(), rb.beats.size() * kNumFeatures);
  // The window is the filtered signal around R: compare beat 10 with a direct
  // filtfilt of the raw samples.
  const auto& b = rb.beats[10];
  const std::vector<double> raw(rec.samples[0].begin() + (b.r_sample - 93), rec.samples[0].begin() + (b.r_sample + 94));
  const auto want = filtfilt(pre.coefficients(), raw);
  for (std::size_t i = 0; i < 187; ++i) EXPECT_NEAR(rb.windows[10 * 187 + i], want[i], 1e-6);
  // Record 100 runs at about 76 bpm: pre-RR of a normal beat near 0.8 s.
  const float* f = rb.features.data() + 10 * kNumFeatures;
  EXPECT_GT(f[0], 0.6f);
  EXPECT_LT(f[0], 1.0f);
  EXPECT_NEAR(f[3], 1805.5 / 2273, 0.01);  // record mean RR
}

TEST(Extract, ResamplesOtherRatesAndChecksLead) {
  // A synthetic 250 Hz recording with beats every second.
  Recording rec;
  rec.name = "syn";
  rec.fs = 250;
  rec.leads = {"ECG"};
  rec.units = {"mV"};
  rec.samples.assign(1, std::vector<double>(250 * 20, 0.0));
  std::vector<Annotation> anns;
  for (int s = 1; s < 20; ++s) {
    rec.samples[0][static_cast<std::size_t>(250 * s)] = 1.0;
    Annotation a;
    a.time = 250 * s;
    a.code = *annotation_code("N");
    anns.push_back(a);
  }
  Preprocessing pre;
  const auto rb = extract_beats(rec, anns, LabelSet::aami, pre);
  ASSERT_EQ(rb.beats.size(), 19u);
  EXPECT_EQ(rb.beats[0].r_sample, 360);  // times rescaled to 360 Hz
  EXPECT_FLOAT_EQ(rb.features[0 * kNumFeatures + 1], 1.0f);  // post-RR 1 s
  pre.lead = 3;
  EXPECT_THROW(extract_beats(rec, anns, LabelSet::aami, pre), InvalidArgument);
}
