// Whole-recording analysis on MIT-BIH records with the shipped default model:
// the beats found against the reference annotations (bxb's rules), the
// classification at given positions, another sampling rate, and the
// per-record folder scoring of `evaluate --detect`.
#include <gtest/gtest.h>

#include <cmath>

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/dsp/resample.hpp"
#include "heartwave/eval/ec57.hpp"
#include "heartwave/infer/analyze.hpp"
#include "heartwave/infer/detected_folder.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "heartwave/models/bundle.hpp"
#include "shipped_model.hpp"
#include "support.hpp"

using namespace heartwave;

namespace {

using heartwave::test::shipped;

Recording mitdb(const std::string& name) { return to_recording(read_record(heartwave::test::mitdb_dir() / name)); }

std::vector<Annotation> reference(const std::string& name) {
  return read_annotations(heartwave::test::mitdb_dir() / (name + ".atr"));
}

Ec57Record whole_record(const std::string& name, std::span<const Annotation> test, const Recording& r) {
  Ec57Options o;
  o.start_s = 0;
  return ec57_compare(reference(name), test, r.fs, static_cast<std::int64_t>(r.num_samples()), o, name);
}

}  // namespace

// Records easy and hard for detectors (noise in 105, large P and T waves in
// 108, multiform PVCs and noise in 203, long pauses in 232): the gross
// figures over them stay at what the detector reaches (Se 99.40, +P 98.91
// when this test was written), and every beat found is a valid annotation.
TEST(Analyze, FindsTheBeatsOfMitBihRecords) {
  std::vector<Ec57Record> scored;
  for (const std::string name : {"100", "105", "108", "203", "232"}) {
    const Recording r = mitdb(name);
    const Analysis a = analyze_recording(r, shipped().pipe);
    EXPECT_EQ(a.lead, "MLII");
    EXPECT_EQ(a.detector, kDefaultQrsDetector);
    ASSERT_FALSE(a.beats.empty());
    for (std::size_t i = 0; i < a.beats.size(); ++i) {
      EXPECT_GE(a.beats[i].sample, 0);
      EXPECT_LT(a.beats[i].sample, a.num_samples);
      if (i) {
        EXPECT_GT(a.beats[i].sample, a.beats[i - 1].sample);
      }
      EXPECT_GE(a.beats[i].cls, 0);
      EXPECT_LE(a.beats[i].cls, 4);
      if (a.beats[i].classified) {
        float sum = 0;
        for (float p : a.beats[i].proba) sum += p;
        EXPECT_NEAR(sum, 1.0f, 1e-3f);
      }
    }
    scored.push_back(whole_record(name, analysis_annotations(a), r));
  }
  const Ec57Summary s = ec57_summarize(scored);
  ASSERT_TRUE(s.gross.qrs_se && s.gross.qrs_ppv);
  EXPECT_GE(*s.gross.qrs_se, 99.3);
  EXPECT_GE(*s.gross.qrs_ppv, 98.8);
}

// The classification half alone, at the reference positions: through
// classify_positions exactly as through the pipeline given the same
// positions as beat annotations.
TEST(Analyze, ClassifiesGivenPositionsThroughThePipelinePath) {
  const Recording r = mitdb("208");
  std::vector<std::int64_t> at;
  std::vector<Annotation> anns;
  for (const Annotation& a : reference("208"))
    if (is_beat_code(a.code)) at.push_back(a.time), anns.push_back({a.time, 1, 0, 0, 0, ""});
  const Analysis a = classify_positions(r, shipped().pipe, at);
  const auto res = shipped().pipe.classify_record(r, anns);
  const auto cls = shipped().pipe.decide(res);
  std::size_t k = 0;
  for (const AnalyzedBeat& b : a.beats) {
    if (!b.classified) continue;
    ASSERT_LT(k, cls.size());
    EXPECT_EQ(res.beats.beats[k].r_sample, b.sample);
    EXPECT_EQ(cls[k], b.cls);
    for (int c = 0; c < 5; ++c) EXPECT_EQ(res.proba[k * 5 + static_cast<std::size_t>(c)], b.proba[static_cast<std::size_t>(c)]);
    ++k;
  }
  EXPECT_EQ(k, cls.size());
  // Only the first and last beats lack a whole window.
  EXPECT_GE(k + 2, a.beats.size());
  // Out of order positions are refused.
  std::vector<std::int64_t> back = {1000, 500};
  EXPECT_THROW(classify_positions(r, shipped().pipe, back), InvalidArgument);
}

// The same record at 250 Hz (resampled): the detector needs no retuning, and
// the beats are reported at the recording's own rate.
TEST(Analyze, WorksAtAnotherSamplingRate) {
  Recording r = mitdb("100");
  for (auto& s : r.samples) s = resample(s, 360, 250);
  r.fs = 250;
  const Analysis a = analyze_recording(r, shipped().pipe);
  std::vector<Annotation> ref;
  for (const Annotation& x : reference("100")) {
    Annotation y = x;
    y.time = std::llround(static_cast<double>(x.time) * 250.0 / 360.0);
    ref.push_back(y);
  }
  Ec57Options o;
  o.start_s = 0;
  const Ec57Record e = ec57_compare(ref, analysis_annotations(a), 250, static_cast<std::int64_t>(r.num_samples()), o, "100@250");
  const Ec57Stats f = ec57_figures(e);
  EXPECT_GE(*f.qrs_se, 99.8);
  EXPECT_GE(*f.qrs_ppv, 99.8);
  std::size_t normal = 0;
  for (const auto& b : a.beats) normal += b.cls == 0;
  EXPECT_GT(normal, a.beats.size() * 9 / 10);  // record 100 is almost all normal beats
}

TEST(Analyze, ChoosesTheLeadByName) {
  const Recording r = mitdb("100");
  AnalyzeOptions o;
  o.lead = "V5";
  const Analysis a = analyze_recording(r, shipped().pipe, o);
  EXPECT_EQ(a.lead, "V5");
  EXPECT_GT(a.beats.size(), 2000u);
  o.lead = "aVF";
  heartwave::test::expect_throw_with<InvalidArgument>([&] { analyze_recording(r, shipped().pipe, o); }, "no lead named 'aVF'");
  Recording empty;
  empty.name = "empty";
  empty.fs = 360;
  EXPECT_THROW(analyze_recording(empty, shipped().pipe), InvalidArgument);
}

// evaluate --detect's folder scoring: per record, whole record and after the
// learning period, and the classifier alone at the reference positions.
TEST(Analyze, ScoresAFolderEndToEnd) {
  RecordFolderOptions o;
  o.dir = heartwave::test::mitdb_dir();
  const std::vector<std::string> names = {"119", "201"};
  const auto rs = analyze_and_score_folder(shipped().pipe, o, names, {}, 0.15, 300, 2, {});
  ASSERT_EQ(rs.size(), 2u);
  for (const auto& r : rs) {
    EXPECT_FALSE(r.paced);
    EXPECT_EQ(r.whole.start_sample, 0);
    EXPECT_EQ(r.learning.start_sample, 300 * 360);
    const Ec57Stats w = ec57_figures(r.whole), given = ec57_figures(r.reference_learning);
    EXPECT_GE(*w.qrs_se, 99.0) << r.name;
    EXPECT_EQ(*given.qrs_se, 100.0) << r.name;  // the reference's own positions
  }
  // 119 is mostly normal beats and PVCs in bigeminy: both found.
  const Ec57Stats v = ec57_figures(rs[0].learning);
  EXPECT_GE(*v.veb_se, 95.0);
  EXPECT_GE(*v.veb_ppv, 95.0);
}
