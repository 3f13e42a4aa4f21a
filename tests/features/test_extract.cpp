#include <gtest/gtest.h>

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/features/extract.hpp"
#include "heartwave/io/wfdb_record.hpp"
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

TEST(Extract, ChoosesTheLeadByName) {
  // Record 114 stores MLII second; 102 has no MLII (V5, V2).
  const auto dir = heartwave::test::mitdb_dir();
  const Recording r114 = to_recording(read_record(dir / "114"));
  const Recording r102 = to_recording(read_record(dir / "102"));
  Preprocessing pre;
  ASSERT_EQ(r114.leads[1], "MLII");
  EXPECT_EQ(pre.choose_lead(r114.leads, "114"), 1u);
  EXPECT_EQ(pre.choose_lead(r102.leads, "102"), 0u);  // falls back to index 0
  pre.lead_name.clear();
  EXPECT_EQ(pre.choose_lead(r114.leads, "114"), 0u);  // by index only
  pre.lead_name = "V5";
  EXPECT_EQ(pre.choose_lead(r114.leads, "114"), 0u);
  pre.lead_name = "MLII";
  pre.lead = 2;
  EXPECT_EQ(pre.choose_lead(r114.leads, "114"), 1u);
  heartwave::test::expect_throw_with<InvalidArgument>([&] { pre.choose_lead(r102.leads, "102"); },
                                                      "102: lead 'MLII' not found and lead 2 does not exist");
  // A 12-lead record (INCART's order) names MLII "II"; its second lead is
  // V1, MIT-BIH's usual one, not the first other signal.
  pre.lead = 0;
  const std::vector<std::string> twelve = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};
  EXPECT_EQ(pre.choose_lead(twelve, "I01"), 1u);
  EXPECT_EQ(pre.choose_second_lead(twelve, "I01"), 6u);
  EXPECT_EQ(pre.choose_lead({"II", "MLII"}, "x"), 1u);  // the name itself first
  EXPECT_EQ(pre.choose_second_lead({"ECG1", "ECG2"}, "x"), 1u);  // SVDB: index 0, then the other
  pre.lead_name = "V5";
  EXPECT_EQ(pre.choose_lead(twelve, "I01"), 10u);
  EXPECT_EQ(pre.choose_second_lead(twelve, "I01"), 6u);
  pre.lead_name = "V1";
  EXPECT_EQ(pre.choose_second_lead(twelve, "I01"), 0u);  // V1 is the primary: the first other
  pre.lead_name = "MLII";
  // extract_beats reads the chosen signal: the windows follow MLII.
  const auto anns = read_annotations(dir / "114.atr");
  const auto rb = extract_beats(r114, anns, LabelSet::aami, pre);
  const auto& b = rb.beats[5];
  const std::vector<double> raw(r114.samples[1].begin() + (b.r_sample - 93), r114.samples[1].begin() + (b.r_sample + 94));
  const auto want = filtfilt(pre.coefficients(), raw);
  for (std::size_t i = 0; i < 187; ++i) ASSERT_NEAR(rb.windows[5 * 187 + i], want[i], 1e-6);
}

TEST(Extract, SecondLeadAddsItsTemplateFeatures) {
  const auto dir = heartwave::test::mitdb_dir();
  const Recording rec = to_recording(read_record(dir / "114"));  // V5 first, MLII second
  const auto anns = read_annotations(dir / "114.atr");
  Preprocessing pre;
  const auto one = extract_beats(rec, anns, LabelSet::aami, pre);
  pre.second_lead = true;
  EXPECT_EQ(pre.choose_second_lead(rec.leads, "114"), 0u);
  const auto two = extract_beats(rec, anns, LabelSet::aami, pre);
  const std::size_t n = two.beats.size(), F = kNumFeatures + kNumSecondLeadFeatures;
  ASSERT_EQ(n, one.beats.size());
  ASSERT_EQ(two.features.size(), n * F);
  ASSERT_EQ(two.windows2.size(), n * 187);
  EXPECT_EQ(two.windows, one.windows);  // the primary lead is untouched
  // The first 52 features are the one-lead features; the rest are the
  // template features of the filtered V5 windows against their own median beat.
  const auto tmpl2 = median_template(two.windows2, 187);
  std::vector<float> want(kNumTemplateFeatures);
  for (std::size_t i = 0; i < n; i += 97) {
    for (std::size_t k = 0; k < kNumFeatures; ++k) ASSERT_EQ(two.features[i * F + k], one.features[i * kNumFeatures + k]);
    template_features({two.windows2.data() + i * 187, 187}, tmpl2, 93, want);
    for (std::size_t k = 0; k < kNumTemplateFeatures; ++k) ASSERT_EQ(two.features[i * F + kNumFeatures + k], want[k]);
    const auto& b = two.beats[i];
    const std::vector<double> raw(rec.samples[0].begin() + (b.r_sample - 93), rec.samples[0].begin() + (b.r_sample + 94));
    const auto filt = filtfilt(pre.coefficients(), raw);
    for (std::size_t k = 0; k < 187; ++k) ASSERT_NEAR(two.windows2[i * 187 + k], filt[k], 1e-6);
  }
  EXPECT_EQ(feature_names(true).size(), F);
  EXPECT_EQ(feature_names(true).back(), "l2_tpl_p_energy_ratio");
  // The relative morphology follows: each morphology feature minus the
  // dominant beat's, every earlier column unchanged.
  pre.relative_morphology = true;
  const auto rel = extract_beats(rec, anns, LabelSet::aami, pre);
  const std::size_t FR = F + kNumRelativeFeatures;
  ASSERT_EQ(pre.num_features(), FR);
  ASSERT_EQ(rel.features.size(), n * FR);
  std::vector<float> dominant(kNumMorphologyFeatures);
  morphology_features(median_template(rel.windows, 187), 93, dominant);
  for (std::size_t i = 0; i < n; i += 89) {
    for (std::size_t k = 0; k < F; ++k) ASSERT_EQ(rel.features[i * FR + k], two.features[i * F + k]);
    for (std::size_t k = 0; k < kNumRelativeFeatures; ++k)
      ASSERT_EQ(rel.features[i * FR + F + k], two.features[i * F + kNumRRFeatures + k] - dominant[k]) << i << " " << k;
  }
  const auto rel_names = feature_names(true, true);
  ASSERT_EQ(rel_names.size(), FR);
  EXPECT_EQ(rel_names[F], "rel_" + feature_names()[kNumRRFeatures]);
  EXPECT_EQ(feature_names(false, true).size(), kNumFeatures + kNumRelativeFeatures);
  EXPECT_THROW(relative_morphology(dominant, std::vector<float>(3), dominant), InvalidArgument);
  // The second lead's relative morphology comes last: its 36 morphology
  // features minus its own dominant beat's, every earlier column unchanged,
  // also after the signal-quality columns.
  for (const bool quality : {false, true}) {
    pre.signal_quality = quality;
    const auto before = extract_beats(rec, anns, LabelSet::aami, pre);
    pre.second_lead_morphology = true;
    const auto l2 = extract_beats(rec, anns, LabelSet::aami, pre);
    const std::size_t F0 = before.features.size() / n, FL = pre.num_features();
    ASSERT_EQ(FL, F0 + kNumSecondLeadRelativeFeatures);
    ASSERT_EQ(second_lead_morphology_offset(pre), F0);
    ASSERT_EQ(l2.features.size(), n * FL);
    const auto names = feature_names(true, true, quality, true);
    ASSERT_EQ(names.size(), FL);
    EXPECT_EQ(names[F0], "l2_rel_mean");
    EXPECT_EQ(names.back(), "l2_rel_seg5_area");
    std::vector<float> dominant2(kNumMorphologyFeatures), own(kNumMorphologyFeatures);
    morphology_features(median_template(l2.windows2, 187), 93, dominant2);
    bool differs_from_first_lead = false;
    for (std::size_t i = 0; i < n; i += 83) {
      for (std::size_t k = 0; k < F0; ++k) ASSERT_EQ(l2.features[i * FL + k], before.features[i * F0 + k]);
      morphology_features({l2.windows2.data() + i * 187, 187}, 93, own);
      for (std::size_t k = 0; k < kNumSecondLeadRelativeFeatures; ++k)
        ASSERT_EQ(l2.features[i * FL + F0 + k], own[k] - dominant2[k]) << i << " " << k;
      differs_from_first_lead |= l2.features[i * FL + F0 + 13] != l2.features[i * FL + F + 13];  // rel_rms against l2_rel_rms
    }
    EXPECT_TRUE(differs_from_first_lead);
    pre.second_lead_morphology = false;
  }
  pre.signal_quality = false;
  // It needs the second lead.
  pre.second_lead = false;
  pre.second_lead_morphology = true;
  heartwave::test::expect_throw_with<InvalidArgument>([&] { extract_beats(rec, anns, LabelSet::aami, pre); },
                                                      "without the second lead");
  pre.second_lead_morphology = false;
  pre.second_lead = true;
  pre.relative_morphology = false;
  heartwave::test::expect_throw_with<InvalidArgument>(
      [&] { extract_beats("114", rec.samples[1], rec.fs, anns, LabelSet::aami, pre); }, "two leads are needed");
}
