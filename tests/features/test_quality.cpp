#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/dsp/filter.hpp"
#include "heartwave/features/extract.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "support.hpp"

using namespace heartwave;

namespace {

constexpr int kR = 93;
constexpr std::size_t kLen = 187;
// The QRS the quality features leave out: [R-22, R+23) = [71, 116).
constexpr std::size_t kQrsFirst = 71, kQrsLast = 115;

// A dominant beat: 0 outside the QRS but for a T wave rising by 0.1 a
// sample from 0 at 130 to 1 at 140 and back to 0 at 150 (one turn, total
// variation 2); inside the QRS a spike from -0.5 to 1.5 (peak-to-peak 2, so
// turns need reversals above 0.1).
std::vector<float> dominant() {
  std::vector<float> t(kLen, 0.0f);
  for (std::size_t i = 130; i <= 150; ++i) t[i] = 0.1f * static_cast<float>(i <= 140 ? i - 130 : 150 - i);
  t[kR] = 1.5f;
  t[kR + 5] = -0.5f;
  return t;
}

}  // namespace

TEST(Quality, TurnsAndTotalVariationAgainstTheDominantBeat) {
  const auto tmpl = dominant();
  std::vector<float> out(kNumQualityFeatures);
  quality_features(tmpl, 0.0, tmpl, kR, out);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_FLOAT_EQ(out[2], 1.0f);
  // A square wave of 0.3 in blocks of 5 samples before the QRS (0 in
  // blocks 0, 2, ..., 0.3 in blocks 1, 3, ...; sample 70 starts block 14):
  // 14 steps, the first only sets the direction, so 13 turns more, and 14 x
  // 0.3 more total variation (6.2 / 2).
  auto beat = tmpl;
  for (std::size_t i = 0; i < kQrsFirst; ++i) beat[i] = (i / 5) % 2 ? 0.3f : 0.0f;
  quality_features(beat, 0.5, tmpl, kR, out);
  EXPECT_FLOAT_EQ(out[0], 0.25f);  // 0.5 over the QRS peak-to-peak of 2
  EXPECT_EQ(out[1], 13.0f);
  EXPECT_NEAR(out[2], 3.1f, 1e-5);
  // Jitter below the threshold (+-0.04 around flat stretches) adds total
  // variation but no turn.
  beat = tmpl;
  for (std::size_t i = 0; i < 60; ++i) beat[i] = i % 2 ? 0.04f : -0.04f;
  quality_features(beat, 0.0, tmpl, kR, out);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_GT(out[2], 1.0f);
  // The same jitter above the threshold (+-0.06: reversals of 0.12) turns
  // at every sample but the first two.
  for (std::size_t i = 0; i < 60; ++i) beat[i] = i % 2 ? 0.06f : -0.06f;
  quality_features(beat, 0.0, tmpl, kR, out);
  EXPECT_EQ(out[1], 58.0f);
  // Whatever happens inside the QRS is not read: the steps into and out of
  // it neither.
  beat = tmpl;
  for (std::size_t i = kQrsFirst; i <= kQrsLast; ++i) beat[i] = std::sin(static_cast<float>(i)) * 3.0f;
  quality_features(beat, 0.0, tmpl, kR, out);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_FLOAT_EQ(out[2], 1.0f);
  // A flat dominant beat gives 0, not a division by zero.
  const std::vector<float> flat(kLen, 0.0f);
  quality_features(beat, 1.0, flat, kR, out);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[2], 0.0f);
  EXPECT_THROW(quality_features(beat, 0.0, std::vector<float>(10), kR, out), InvalidArgument);
  EXPECT_THROW(quality_features(beat, 0.0, tmpl, kR, std::span<float>(out).first(2)), InvalidArgument);
}

TEST(Quality, ResidueIsWhatTheFilterRemovedOutsideTheQrs) {
  std::vector<double> raw(kLen), filtered(kLen);
  for (std::size_t i = 0; i < kLen; ++i) {
    filtered[i] = std::cos(0.1 * static_cast<double>(i));
    const bool qrs = i >= kQrsFirst && i <= kQrsLast;
    // 0.2 either way outside the QRS; inside it a large difference that must not count.
    raw[i] = filtered[i] + (qrs ? 50.0 : (i % 2 ? 0.2 : -0.2));
  }
  EXPECT_NEAR(quality_residue_rms(raw, filtered, kR), 0.2, 1e-12);
  EXPECT_EQ(quality_residue_rms(filtered, filtered, kR), 0.0);
  EXPECT_THROW(quality_residue_rms(raw, std::span<const double>(filtered).first(10), kR), InvalidArgument);
}

// On a real record, both leads: the columns follow every other one, the
// earlier columns are unchanged, and each is quality_features of the
// filtered window against its lead's dominant beat, with the residue of the
// raw window and its filtfilt.
TEST(Quality, ExtractionAddsBothLeadsColumnsLast) {
  const auto dir = heartwave::test::mitdb_dir();
  const Recording rec = to_recording(read_record(dir / "108"));
  const auto anns = read_annotations(dir / "108.atr");
  Preprocessing pre;
  pre.second_lead = true;
  pre.relative_morphology = true;
  const auto before = extract_beats(rec, anns, LabelSet::aami, pre);
  pre.signal_quality = true;
  const auto with = extract_beats(rec, anns, LabelSet::aami, pre);
  const std::size_t n = with.beats.size(), F0 = before.features.size() / n, F = pre.num_features();
  ASSERT_EQ(F, F0 + 2 * kNumQualityFeatures);
  ASSERT_EQ(signal_quality_offset(pre), F0);
  ASSERT_EQ(with.features.size(), n * F);
  const auto names = feature_names(true, true, true);
  ASSERT_EQ(names.size(), F);
  EXPECT_EQ(names[F0], "sq_hf");
  EXPECT_EQ(names.back(), "l2_sq_tv");
  EXPECT_EQ(feature_names(false, false, true).size(), kNumFeatures + kNumQualityFeatures);
  const std::vector<std::vector<float>> tmpl = {median_template(with.windows, kLen), median_template(with.windows2, kLen)};
  const std::size_t lead_index[2] = {pre.choose_lead(rec.leads, "108"), pre.choose_second_lead(rec.leads, "108")};
  std::vector<float> want(kNumQualityFeatures);
  bool varied = false;
  for (std::size_t i = 0; i < n; i += 61) {
    for (std::size_t k = 0; k < F0; ++k) ASSERT_EQ(with.features[i * F + k], before.features[i * F0 + k]);
    for (int lead = 0; lead < 2; ++lead) {
      const auto& w = lead ? with.windows2 : with.windows;
      const auto R = with.beats[i].r_sample;
      const auto& s = rec.samples[lead_index[lead]];
      const std::vector<double> raw(s.begin() + R - kR, s.begin() + R + 94);
      const auto filt = filtfilt(pre.coefficients(), raw);
      quality_features({w.data() + i * kLen, kLen}, quality_residue_rms(raw, filt, kR), tmpl[lead], kR, want);
      for (std::size_t k = 0; k < kNumQualityFeatures; ++k)
        ASSERT_NEAR(with.features[i * F + F0 + lead * kNumQualityFeatures + k], want[k], 1e-5) << i << " " << lead << " " << k;
      varied |= want[1] != 0.0f;
    }
  }
  EXPECT_TRUE(varied);  // record 108 is noisy: some beats turn more than its dominant beat
}
