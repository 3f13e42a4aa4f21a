// The EC57 run-by-run comparison (rxr's rules) on hand-made beat sequences
// whose run counts are worked out by hand: the matching of couplets, short
// and long runs in the window, split and missed runs, runs at the ends,
// runs interrupted by other beats, the learning period, and the reports.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/eval/ec57_runs.hpp"

using namespace heartwave;
using T = Ec57RunType;
using L = Ec57RunLength;

namespace {

constexpr double kFs = 100;  // window 0.15 s = 15 samples

// One beat every 100 samples from sample 100, labelled by the mnemonics of
// `labels` (one character each).
std::vector<Annotation> seq(const std::string& labels, std::int64_t offset = 0) {
  std::vector<Annotation> out;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    Annotation a;
    a.time = 100 * static_cast<std::int64_t>(i + 1) + offset;
    a.code = *annotation_code(std::string(1, labels[i]));
    out.push_back(a);
  }
  return out;
}

Ec57RunRecord compare(const std::vector<Annotation>& ref, const std::vector<Annotation>& test, double start_s = 0,
                      std::int64_t num_samples = 0) {
  Ec57Options o;
  o.start_s = start_s;
  return ec57_compare_runs(ref, test, kFs, num_samples, o, "t");
}

// reference, detected, test, confirmed
void expect_counts(const Ec57RunRecord& r, T type, L length, std::int64_t ref, std::int64_t det, std::int64_t test,
                   std::int64_t conf) {
  const Ec57RunCounts& c = r.at(type, length);
  EXPECT_EQ(c.reference, ref) << "reference";
  EXPECT_EQ(c.detected, det) << "detected";
  EXPECT_EQ(c.test, test) << "test";
  EXPECT_EQ(c.confirmed, conf) << "confirmed";
}

void expect_none(const Ec57RunRecord& r, T type) {
  for (L l : {L::Couplet, L::Short, L::Long}) expect_counts(r, type, l, 0, 0, 0, 0);
}

}  // namespace

// A couplet, a 4-beat run and a 7-beat run; the test misses the couplet and
// splits the long run into two 3-beat runs.
TEST(Ec57Runs, MissedCoupletAndSplitLongRun) {
  const auto ref = seq("NNVVNNVVVVNNVVVVVVVNN");
  const auto test = seq("NNNNNNVVVVNNVVVNVVVNN");
  const Ec57RunRecord r = compare(ref, test);
  // Couplet: no V in its window. Short run: found whole. Long run: the
  // longest test run in its window is 3, not 6.
  expect_counts(r, T::Ventricular, L::Couplet, 1, 0, 0, 0);
  // Test runs: the 4-beat run and both 3-beat halves, each inside a
  // reference run of at least 3 in its window.
  expect_counts(r, T::Ventricular, L::Short, 1, 1, 3, 3);
  expect_counts(r, T::Ventricular, L::Long, 1, 0, 0, 0);
  expect_none(r, T::Supraventricular);
  // rxr's matrices: sensitivity[ref length][test length in the window].
  EXPECT_EQ(r.sensitivity[0][2][0], 1);
  EXPECT_EQ(r.sensitivity[0][4][4], 1);
  EXPECT_EQ(r.sensitivity[0][6][3], 1);
  EXPECT_EQ(r.predictivity[0][4][4], 1);
  EXPECT_EQ(r.predictivity[0][3][3], 2);
  const Ec57RunStats c = ec57_run_figures(r.at(T::Ventricular, L::Couplet));
  ASSERT_TRUE(c.se);
  EXPECT_DOUBLE_EQ(*c.se, 0.0);
  EXPECT_FALSE(c.ppv);
  const Ec57RunStats s = ec57_run_figures(r.at(T::Ventricular, L::Short));
  EXPECT_DOUBLE_EQ(*s.se, 100.0);
  EXPECT_DOUBLE_EQ(*s.ppv, 100.0);
}

TEST(Ec57Runs, IdenticalAnnotationsScoreEveryRun) {
  const auto ref = seq("NVNVVNVVVNVVVVVNVVVVVVVVNAANAAANAAAAAAN");
  const Ec57RunRecord r = compare(ref, ref);
  expect_counts(r, T::Ventricular, L::Couplet, 1, 1, 1, 1);
  expect_counts(r, T::Ventricular, L::Short, 2, 2, 2, 2);
  expect_counts(r, T::Ventricular, L::Long, 1, 1, 1, 1);
  expect_counts(r, T::Supraventricular, L::Couplet, 1, 1, 1, 1);
  expect_counts(r, T::Supraventricular, L::Short, 1, 1, 1, 1);
  expect_counts(r, T::Supraventricular, L::Long, 1, 1, 1, 1);
  EXPECT_EQ(r.sensitivity[0][1][1], 1);  // the isolated V
}

// A couplet at the very first beats and a run closed by the end of the list.
TEST(Ec57Runs, RunsAtTheStartAndEnd) {
  const auto ref = seq("VVNNNNVVV");
  const Ec57RunRecord r = compare(ref, ref);
  expect_counts(r, T::Ventricular, L::Couplet, 1, 1, 1, 1);
  expect_counts(r, T::Ventricular, L::Short, 1, 1, 1, 1);
  // The record's end (num_samples) cuts the last run to 2 beats: 100..900,
  // end at 850 keeps 700 and 800.
  const Ec57RunRecord cut = compare(ref, ref, 0, 850);
  EXPECT_EQ(cut.end_sample, 850);
  expect_counts(cut, T::Ventricular, L::Couplet, 2, 2, 2, 2);
  expect_counts(cut, T::Ventricular, L::Short, 0, 0, 0, 0);
}

// A Q beat ends a run (here the test calls it V, joining the two).
TEST(Ec57Runs, QBeatInterruptsARun) {
  const auto ref = seq("NVVQVVVN");
  const auto test = seq("NVVVVVVN");
  const Ec57RunRecord r = compare(ref, test);
  // Reference couplet and 3-beat run both found inside the test's 6-beat run;
  // the test's long run finds at most 3 consecutive reference V beats.
  expect_counts(r, T::Ventricular, L::Couplet, 1, 1, 0, 0);
  expect_counts(r, T::Ventricular, L::Short, 1, 1, 0, 0);
  expect_counts(r, T::Ventricular, L::Long, 0, 0, 1, 0);
  EXPECT_EQ(r.predictivity[0][3][6], 1);
}

// F and S beats end V runs and V beats S runs; non-beat annotations and the
// flutter wave '!' neither extend nor end a run; e and j are S (as in bxb).
TEST(Ec57Runs, WhatEndsARun) {
  auto ref = seq("NVFVNVVAjNeVVN");
  // A rhythm change and a '!' inside the V couplet at 600..700.
  Annotation rhythm;
  rhythm.time = 650;
  rhythm.code = 28;
  rhythm.aux = "(B";
  Annotation flutter;
  flutter.time = 660;
  flutter.code = *annotation_code("!");
  ref.insert(ref.begin() + 6, {rhythm, flutter});
  const Ec57RunRecord r = compare(ref, ref);
  // V couplets: 600-700 (through the rhythm and '!') and 1200-1300 (after e).
  expect_counts(r, T::Ventricular, L::Couplet, 2, 2, 2, 2);
  expect_counts(r, T::Ventricular, L::Short, 0, 0, 0, 0);
  // S couplet A j at 800-900; e at 1100 is an isolated S.
  expect_counts(r, T::Supraventricular, L::Couplet, 1, 1, 1, 1);
  EXPECT_EQ(r.sensitivity[1][1][1], 1);
  EXPECT_EQ(r.sensitivity[0][1][1], 2);  // V at 200 and 400, split by F
}

// The learning period cuts a 7-beat run (300..900) starting at 500 to 5 beats.
TEST(Ec57Runs, LearningPeriodCutsARun) {
  const auto ref = seq("NNVVVVVVVN");
  expect_counts(compare(ref, ref), T::Ventricular, L::Long, 1, 1, 1, 1);
  const Ec57RunRecord r = compare(ref, ref, 5.0);
  EXPECT_EQ(r.start_sample, 500);
  expect_counts(r, T::Ventricular, L::Long, 0, 0, 0, 0);
  expect_counts(r, T::Ventricular, L::Short, 1, 1, 1, 1);
  // The other annotator's beats before the start still count in the window
  // (one window before the first beat at or after the start).
  const auto shifted = seq("NNVVVVVVVN", -10);  // 290..890: the 490 beat is in [485, 915]
  const Ec57RunRecord s = compare(ref, shifted, 5.0);
  expect_counts(s, T::Ventricular, L::Short, 1, 1, 1, 1);
  EXPECT_EQ(s.sensitivity[0][5][5], 1);
}

// The window: 15 samples at 100 Hz.
TEST(Ec57Runs, MatchWindow) {
  const auto ref = seq("NVVN");  // 200, 300
  expect_counts(compare(ref, seq("NVVN", 15)), T::Ventricular, L::Couplet, 1, 1, 1, 1);
  // 16 samples late: only the first test V (216) is in [185, 315].
  const Ec57RunRecord r = compare(ref, seq("NVVN", 16));
  expect_counts(r, T::Ventricular, L::Couplet, 1, 0, 1, 0);
  EXPECT_EQ(r.sensitivity[0][2][1], 1);
}

TEST(Ec57Runs, Errors) {
  const auto ref = seq("NVVN");
  Ec57Options o;
  o.window_s = 0;
  EXPECT_THROW(ec57_compare_runs(ref, ref, kFs, 0, o, "t"), InvalidArgument);
  o = {};
  o.start_s = -1;
  EXPECT_THROW(ec57_compare_runs(ref, ref, kFs, 0, o, "t"), InvalidArgument);
  o = {};
  EXPECT_THROW(ec57_compare_runs(ref, ref, kFs, 100, o, "t"), InvalidArgument);  // ends before 300 s
  EXPECT_THROW(ec57_compare_runs(ref, ref, 0, 0, o, "t"), InvalidArgument);
  auto unordered = seq("NVVN");
  std::swap(unordered[0].time, unordered[3].time);
  o.start_s = 0;
  try {
    ec57_compare_runs(ref, unordered, kFs, 0, o, "rec7");
    FAIL() << "no throw";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("record rec7: test beat"), std::string::npos) << e.what();
  }
}

TEST(Ec57Runs, GrossTableAndJson) {
  std::vector<Ec57RunRecord> recs;
  recs.push_back(compare(seq("NNVVNNVVVVNNVVVVVVVNN"), seq("NNNNNNVVVVNNVVVNVVVNN")));
  recs.back().record = "a";
  recs.push_back(compare(seq("NVVNAAN"), seq("NVVNAAN")));
  recs.back().record = "b";
  const Ec57RunSummary s = ec57_summarize_runs(recs);
  EXPECT_EQ(s.records, 2u);
  const Ec57RunCounts& vc = s.sum[0][0];
  EXPECT_EQ(vc.reference, 2);
  EXPECT_EQ(vc.detected, 1);
  EXPECT_EQ(vc.test, 1);
  EXPECT_EQ(vc.confirmed, 1);
  EXPECT_EQ(s.sum[1][0].reference, 1);
  EXPECT_EQ(s.sensitivity[0][6][3], 1);
  EXPECT_EQ(ec57_runs_gross_line(s),
            "runs VC_Se=50.00 VC_PP=100.00 VS_Se=100.00 VS_PP=100.00 VL_Se=0.00 VL_PP=- SC_Se=100.00 SC_PP=100.00 "
            "SS_Se=- SS_PP=- SL_Se=- SL_PP=-");
  const std::string table = ec57_runs_table(recs);
  EXPECT_NE(table.find("Record  Cref  CTs Ctest  CTp    CSe    C+P  Sref"), std::string::npos) << table;
  EXPECT_NE(table.find("\na          1    0     0    0   0.00      -     1    1     3    3 100.00 100.00     1    0     0"
                       "    0   0.00      -\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("\nGross      2    1     1    1  50.00 100.00"), std::string::npos) << table;
  EXPECT_NE(table.find("Supraventricular runs"), std::string::npos) << table;
  Ec57Options o;
  o.start_s = 0;
  const nlohmann::json j = ec57_runs_json(recs, o);
  ASSERT_EQ(j["records"].size(), 2u);
  EXPECT_EQ(j["records"][0]["ventricular"]["short"]["test"], 3);
  EXPECT_TRUE(j["records"][0]["ventricular"]["couplet"]["ppv"].is_null());
  EXPECT_EQ(j["gross"]["ventricular"]["couplet"]["se"], 50.0);
  EXPECT_EQ(j["gross"]["matrices"]["ventricular"]["sensitivity"][6][3], 1);
  EXPECT_EQ(j["options"]["start_s"], 0.0);
  EXPECT_TRUE(j.contains("build"));
}
