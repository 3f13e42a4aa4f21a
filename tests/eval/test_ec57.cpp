// The EC57 comparison on small hand-made cases whose counts are worked out
// by hand: matching, the window, bxb's AAMI rules, the learning period, VF
// and shutdown, and the report formats. The 48 MIT-BIH records against
// bxb's own outputs are in test_ec57_reference.cpp.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <utility>
#include <vector>

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/eval/ec57.hpp"
#include "support.hpp"

using namespace heartwave;
using C = Ec57Class;

namespace {

constexpr double kFs = 360;  // window 0.15 s = 54 samples

Annotation ann(std::int64_t time, const char* mnemonic, int subtype = 0) {
  Annotation a;
  a.time = time;
  a.code = *annotation_code(mnemonic);
  a.subtype = subtype;
  return a;
}

std::vector<Annotation> beats(const std::vector<std::pair<std::int64_t, const char*>>& list) {
  std::vector<Annotation> out;
  for (const auto& [t, m] : list) out.push_back(ann(t, m));
  return out;
}

// Whole record, as bxb -f 0 -w 0.15.
Ec57Record whole(const std::vector<Annotation>& ref, const std::vector<Annotation>& test, std::int64_t n = 100000) {
  Ec57Options o;
  o.start_s = 0;
  return ec57_compare(ref, test, kFs, n, o, "syn");
}

// Every cell is zero except those listed.
void expect_only(const Ec57Record& r, const std::vector<std::pair<std::pair<C, C>, std::int64_t>>& cells) {
  auto expected = decltype(r.counts){};
  for (const auto& [cell, n] : cells) expected[static_cast<std::size_t>(cell.first)][static_cast<std::size_t>(cell.second)] = n;
  for (int a = 0; a < kEc57Classes; ++a)
    for (int b = 0; b < kEc57Classes; ++b)
      EXPECT_EQ(r.counts[a][b], expected[a][b]) << "cell " << "NSVFQOX"[a] << "nsvfqox"[b];
}

const std::vector<std::pair<std::int64_t, const char*>> kFour = {{1000, "N"}, {1360, "N"}, {1720, "N"}, {2080, "N"}};

}  // namespace

TEST(Ec57, PerfectMatch) {
  const auto ref = beats(kFour);
  const Ec57Record r = whole(ref, ref);
  expect_only(r, {{{C::N, C::N}, 4}});
  const Ec57Stats f = ec57_figures(r);
  EXPECT_DOUBLE_EQ(*f.qrs_se, 100);
  EXPECT_DOUBLE_EQ(*f.qrs_ppv, 100);
  EXPECT_FALSE(f.veb_se);  // no V beat: undefined, printed "-"
  EXPECT_FALSE(f.veb_ppv);
  EXPECT_FALSE(f.sveb_se);
  EXPECT_DOUBLE_EQ(*f.veb_fpr, 0);
  // Three RR intervals (the first beat ends none), all equal.
  EXPECT_EQ(r.rr_intervals, 3);
  EXPECT_DOUBLE_EQ(*f.rr_error_ms, 0);
  EXPECT_EQ(ec57_l1_line(r),
            " syn     4   0   0   0   0   0   0   0   0   0   0   0    0   0   0   0   0   0   0 100.00 100.00      -"
            "      -      -      -   0.00\n");
  EXPECT_EQ(ec57_l2_line(r), " syn    0    0    0    0    0     0.00   0.00      -      -      -    0 seconds 4 0 0 0 0\n");
}

TEST(Ec57, MissedAndExtraBeats) {
  auto test = beats(kFour);
  test.erase(test.begin() + 2);  // 1720 missed
  Ec57Record r = whole(beats(kFour), test);
  expect_only(r, {{{C::N, C::N}, 3}, {{C::N, C::O}, 1}});
  EXPECT_DOUBLE_EQ(*ec57_figures(r).qrs_se, 75);
  EXPECT_DOUBLE_EQ(*ec57_figures(r).qrs_ppv, 100);
  // bxb adds to the RR error at every pair, matched or not, when both
  // current beats end an interval: 1360 (360 / 360), the missed 1720
  // (360 against the test's 720) and 2080 (360 / 720).
  EXPECT_EQ(r.rr_intervals, 3);
  EXPECT_DOUBLE_EQ(r.rr_sum_squares, 2 * 360.0 * 360.0);

  test = beats(kFour);
  test.insert(test.begin() + 1, ann(1180, "N"));  // halfway between two beats: matches neither
  r = whole(beats(kFour), test);
  expect_only(r, {{{C::N, C::N}, 4}, {{C::O, C::N}, 1}});
  EXPECT_DOUBLE_EQ(*ec57_figures(r).qrs_ppv, 80);
  EXPECT_EQ(ec57_columns(r)[4], 1);  // On'
}

TEST(Ec57, MatchWindowIsInclusive) {
  const auto ref = beats({{1000, "N"}, {5000, "N"}});
  // 54 samples = 0.15 s at 360 Hz: in; 55: out (a missed beat and an extra one).
  expect_only(whole(ref, beats({{1054, "N"}, {4946, "N"}})), {{{C::N, C::N}, 2}});
  expect_only(whole(ref, beats({{1055, "N"}, {4945, "N"}})), {{{C::N, C::O}, 2}, {{C::O, C::N}, 2}});
  Ec57Options o;
  o.start_s = 0;
  o.window_s = 0.2;  // 72 samples
  expect_only(ec57_compare(ref, beats({{1055, "N"}, {4945, "N"}}), kFs, 100000, o, "w"), {{{C::N, C::N}, 2}});
}

// bxb's own example of its pairing rule (24 November 2002, window 37): ref1
// and test1 are 32 apart, test1 and ref2 also 32; a nearest-neighbour rule
// stalls, bxb sees that test2 fits ref2 better and pairs ref1 with test1.
TEST(Ec57, PairingLooksAtTheNextBeats) {
  Ec57Options o;
  o.start_s = 0;
  o.window_s = 37 / kFs;
  const Ec57Record r = ec57_compare(beats({{96, "N"}, {160, "V"}}), beats({{128, "N"}, {185, "V"}}), kFs, 1000, o, "p");
  expect_only(r, {{{C::N, C::N}, 1}, {{C::V, C::V}, 1}});
}

TEST(Ec57, AamiClassesOfReferenceAndTestLabels) {
  // Reference labels and the class bxb gives them; each matched by a test beat of the same label.
  const std::vector<std::pair<const char*, C>> classes = {
      {"N", C::N}, {"L", C::N}, {"R", C::N}, {"B", C::N}, {"A", C::S}, {"a", C::S}, {"J", C::S}, {"S", C::S},
      {"e", C::S}, {"j", C::S}, {"n", C::S}, {"V", C::V}, {"E", C::V}, {"r", C::V}, {"F", C::F}, {"Q", C::Q},
      {"/", C::Q}, {"f", C::Q}, {"?", C::Q}};
  for (const auto& [m, c] : classes) {
    const auto a = beats({{1000, m}});
    expect_only(whole(a, a), {{{c, c}, 1}});
  }
}

TEST(Ec57, FAndQCalledVAreNotFalseVebs) {
  // V called V, F called V, Q called V: V +P 100; the F and Q calls go to Fv'.
  Ec57Record r = whole(beats({{1000, "V"}, {2000, "F"}, {3000, "Q"}}), beats({{1000, "V"}, {2000, "V"}, {3000, "V"}}));
  expect_only(r, {{{C::V, C::V}, 1}, {{C::F, C::V}, 1}, {{C::Q, C::V}, 1}});
  EXPECT_DOUBLE_EQ(*ec57_figures(r).veb_ppv, 100);
  EXPECT_EQ(ec57_columns(r)[13], 2);  // Fv'
  // N called V is a false VEB; so is an extra V.
  r = whole(beats({{1000, "V"}, {2000, "N"}}), beats({{1000, "V"}, {2000, "V"}, {3000, "V"}}));
  EXPECT_NEAR(*ec57_figures(r).veb_ppv, 100.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(*ec57_figures(r).veb_se, 100);
  EXPECT_DOUBLE_EQ(*ec57_figures(r).veb_fpr, 100);  // the N beat's only call, and the extra one, are both V
  // A V beat called F or Q is a missed VEB.
  r = whole(beats({{1000, "V"}, {2000, "V"}}), beats({{1000, "F"}, {2000, "Q"}}));
  EXPECT_DOUBLE_EQ(*ec57_figures(r).veb_se, 0);
  EXPECT_FALSE(ec57_figures(r).veb_ppv);
}

TEST(Ec57, QCalledSIsNotAFalseSveb) {
  Ec57Record r = whole(beats({{1000, "A"}, {2000, "Q"}, {3000, "/"}}), beats({{1000, "S"}, {2000, "S"}, {3000, "S"}}));
  expect_only(r, {{{C::S, C::S}, 1}, {{C::Q, C::S}, 2}});
  EXPECT_DOUBLE_EQ(*ec57_figures(r).sveb_ppv, 100);
  EXPECT_EQ(ec57_columns(r)[8], 2);  // Fs'
  // N and V called S are false SVEBs; bxb counts an F called S as one too
  // (sumstats, summing the Fs' column with the Q beats, does not).
  r = whole(beats({{1000, "A"}, {2000, "N"}, {3000, "V"}, {4000, "F"}}),
            beats({{1000, "S"}, {2000, "S"}, {3000, "S"}, {4000, "S"}}));
  EXPECT_DOUBLE_EQ(*ec57_figures(r).sveb_ppv, 25);
  const std::vector<Ec57Record> one{r};
  EXPECT_NEAR(*ec57_summarize(one).gross.sveb_ppv, 100.0 / 3, 1e-12);
  EXPECT_NEAR(*ec57_summarize(one).average.sveb_ppv, 100.0 / 3, 1e-12);
  // An S beat called V is a missed SVEB, and a false VEB.
  r = whole(beats({{1000, "S"}}), beats({{1000, "V"}}));
  EXPECT_DOUBLE_EQ(*ec57_figures(r).sveb_se, 0);
  EXPECT_DOUBLE_EQ(*ec57_figures(r).veb_ppv, 0);
}

TEST(Ec57, LearningPeriodIsLeftOut) {
  // Start at 10 s = sample 3600: the beats at 1000 and 2000 are not compared
  // (the test annotator's extra beat at 1500 neither), but the interval
  // 2000 -> 4000 still counts in the RR error.
  const auto ref = beats({{1000, "N"}, {2000, "V"}, {4000, "N"}, {5000, "N"}});
  const auto test = beats({{1000, "N"}, {1500, "N"}, {2000, "N"}, {4000, "N"}, {5000, "N"}});
  Ec57Options o;
  o.start_s = 10;
  const Ec57Record r = ec57_compare(ref, test, kFs, 100000, o, "lp");
  expect_only(r, {{{C::N, C::N}, 2}});
  EXPECT_EQ(r.start_sample, 3600);
  EXPECT_EQ(r.rr_intervals, 2);
  // The default is bxb's: 5 minutes.
  EXPECT_EQ(ec57_compare(ref, test, kFs, 200000, Ec57Options{}, "lp").start_sample, 108000);
  expect_only(ec57_compare(ref, test, kFs, 200000, Ec57Options{}, "lp"), {});
}

TEST(Ec57, EndOfTheComparison) {
  const auto ref = beats({{1000, "N"}, {2000, "N"}, {3000, "N"}});
  // Record length 2500: the beat at 3000 lies beyond it.
  expect_only(whole(ref, {}, 2500), {{{C::N, C::O}, 2}});
  // Unknown length: to the end of the reference annotations.
  expect_only(whole(ref, {}, 0), {{{C::N, C::O}, 3}});
  // end_sample 0: to the end of either list.
  Ec57Options o;
  o.start_s = 0;
  o.end_sample = 0;
  expect_only(ec57_compare(ref, beats({{1000, "N"}}), kFs, 100000, o, "e"), {{{C::N, C::N}, 1}});
}

TEST(Ec57, EmptyTestAnnotations) {
  const Ec57Record r = whole(beats(kFour), {});
  expect_only(r, {{{C::N, C::O}, 4}});
  const Ec57Stats f = ec57_figures(r);
  EXPECT_DOUBLE_EQ(*f.qrs_se, 0);
  EXPECT_FALSE(f.qrs_ppv);
  EXPECT_FALSE(f.rr_error_ms);
  EXPECT_EQ(ec57_l1_line(r).substr(83), "   0.00      -      -      -      -      -     -\n");
  expect_only(whole({}, {}), {});
}

TEST(Ec57, NonBeatAnnotationsAreIgnored) {
  auto ref = beats(kFour);
  auto test = beats(kFour);
  ref.insert(ref.begin(), ann(1000, "+"));
  ref.insert(ref.begin() + 3, ann(1400, "~"));  // noise, signals readable
  test.insert(test.begin() + 1, ann(1200, "\""));
  test.insert(test.begin() + 2, ann(1300, "+"));
  test.insert(test.begin() + 3, ann(1340, "x"));
  const Ec57Record r = whole(ref, test);
  expect_only(r, {{{C::N, C::N}, 4}});
  EXPECT_EQ(r.rr_intervals, 3);
}

TEST(Ec57, FlutterWavesAreBeatsOfNoClass) {
  // WFDB's isqrs counts '!' as a QRS; bxb gives it no class: called N it is
  // an extra beat, missed it counts nothing.
  expect_only(whole(beats({{1000, "!"}, {2000, "!"}}), beats({{1000, "N"}})), {{{C::O, C::N}, 1}});
}

TEST(Ec57, ReferenceVfIsNotCompared) {
  // Test beats inside the reference's VF episode count nothing; the beats
  // around it count as usual.
  auto ref = beats({{1000, "N"}, {5000, "N"}});
  ref.insert(ref.begin() + 1, ann(2000, "["));
  ref.insert(ref.begin() + 2, ann(2500, "!"));
  ref.insert(ref.begin() + 3, ann(4000, "]"));
  const auto test = beats({{1000, "N"}, {2500, "V"}, {3000, "V"}, {5000, "N"}});
  expect_only(whole(ref, test), {{{C::N, C::N}, 2}});
}

TEST(Ec57, TestShutdownMissesBeats) {
  // The test annotator marks 1500..3300 unreadable (a NOISE annotation with
  // subtype bits 4 and 5 set, ended by one without): its missed beats there
  // are Nx and Vx, and the shutdown lasts 5 s.
  auto test = beats({{1000, "N"}, {4000, "N"}});
  test.insert(test.begin() + 1, ann(1500, "~", 0x30));
  test.insert(test.begin() + 2, ann(3300, "~", 0));
  const auto ref = beats({{1000, "N"}, {2000, "N"}, {3000, "V"}, {4000, "N"}});
  const Ec57Record r = whole(ref, test);
  expect_only(r, {{{C::N, C::N}, 2}, {{C::N, C::X}, 1}, {{C::V, C::X}, 1}});
  EXPECT_EQ(r.shutdown_s, 5);
  const Ec57Shutdown s = ec57_shutdown(r);
  EXPECT_EQ(s.missed[0], 1);
  EXPECT_EQ(s.missed[2], 1);
  EXPECT_DOUBLE_EQ(*s.beats, 50);
  EXPECT_NEAR(*s.n, 100.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(*s.v, 100);
  EXPECT_EQ(ec57_l2_line(r), " syn    1    0    1    0    0    50.00  33.33      - 100.00      -    5 seconds 3 0 1 0 0\n");
  // The reference's shutdown (WFDB reads subtype -1 as bits 4 and 5 set):
  // extra test beats there are X, not O.
  auto ref2 = beats({{1000, "N"}, {4000, "N"}});
  ref2.insert(ref2.begin() + 1, ann(1500, "~", -1));
  ref2.insert(ref2.begin() + 2, ann(3300, "~", 0));
  expect_only(whole(ref2, beats({{1000, "N"}, {2000, "N"}, {4000, "N"}})), {{{C::N, C::N}, 2}, {{C::X, C::N}, 1}});
}

TEST(Ec57, BadOptionsAreRefused) {
  const auto ref = beats(kFour);
  for (double w : {0.0, -0.1, 11.0, std::nan("")}) {
    Ec57Options o;
    o.window_s = w;
    test::expect_throw_with<InvalidArgument>([&] { ec57_compare(ref, ref, kFs, 100000, o, "rec9"); }, "rec9");
  }
  Ec57Options o;
  o.start_s = -1;
  test::expect_throw_with<InvalidArgument>([&] { ec57_compare(ref, ref, kFs, 100000, o, "rec9"); }, "learning period");
  test::expect_throw_with<InvalidArgument>([&] { ec57_compare(ref, ref, kFs, 1000, Ec57Options{}, "rec9"); }, "before it starts");
  test::expect_throw_with<InvalidArgument>([&] { ec57_compare(ref, ref, 0, 1000, Ec57Options{}, "rec9"); }, "sampling frequency");
  // Beats out of time order.
  const auto shuffled = beats({{1000, "N"}, {2000, "N"}, {1500, "N"}});
  test::expect_throw_with<InvalidArgument>([&] { whole(ref, shuffled); }, "test beat at sample 1500");
}

TEST(Ec57, SumstatsRowsAndGrossLine) {
  // Record a: 4 N beats, one missed. Record b: 2 V beats found, one N called V.
  std::vector<Ec57Record> recs;
  auto test = beats(kFour);
  test.erase(test.begin() + 2);
  recs.push_back(whole(beats(kFour), test));
  recs.back().record = "a";
  recs.push_back(whole(beats({{1000, "V"}, {2000, "V"}, {3000, "N"}}), beats({{1000, "V"}, {2000, "V"}, {3000, "V"}})));
  recs.back().record = "b";
  const Ec57Summary s = ec57_summarize(recs);
  EXPECT_EQ(s.records, 2u);
  EXPECT_EQ(s.sum[0], 3);    // Nn'
  EXPECT_EQ(s.sum[10], 1);   // Nv
  EXPECT_EQ(s.sum[12], 2);   // Vv
  EXPECT_EQ(s.sum[15], 1);   // No'
  EXPECT_EQ(s.total_qrs, 7);
  EXPECT_EQ(s.total_veb, 2);
  EXPECT_DOUBLE_EQ(*s.gross.qrs_se, 600.0 / 7);
  EXPECT_DOUBLE_EQ(*s.gross.veb_ppv, 200.0 / 3);
  // Average: over the records defining each figure (VEB Se only b's).
  EXPECT_DOUBLE_EQ(*s.average.qrs_se, 100 * (0.75 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(*s.average.veb_se, 100);
  EXPECT_FALSE(s.gross.sveb_se);
  EXPECT_EQ(ec57_gross_line(s), "gross QRS_Se=85.71 QRS_PP=100.00 VEB_Se=100.00 VEB_PP=66.67 VEB_FPR=25.000 SVEB_Se=- SVEB_PP=-");
  const std::string text = ec57_sumstats(recs);
  EXPECT_EQ(text.rfind(ec57_l1_header(), 0), 0u);
  EXPECT_NE(text.find("\nSum" + std::string(6, ' ') + "3   0   0   0   0   0   0   0   0   0   1   0    2   0   0   1   0   0   0\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nGross" + std::string(78, ' ') + "  85.71 100.00 100.00  66.67      -      -\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nTotal QRS complexes: 7  Total VEBs: 2  Total SVEBs: 0\n\nSummary of results from 2 records\n"),
            std::string::npos)
      << text;
  const std::vector<Ec57Record> just_a(recs.begin(), recs.begin() + 1);
  EXPECT_NE(ec57_sumstats(just_a).find("from 1 record\n"), std::string::npos);
}

TEST(Ec57, JsonDocument) {
  std::vector<Ec57Record> recs{whole(beats(kFour), {})};
  const nlohmann::json j = ec57_json(recs, Ec57Options{});
  EXPECT_EQ(j["records"][0]["record"], "syn");
  EXPECT_EQ(j["records"][0]["counts"]["No"], 4);
  EXPECT_EQ(j["records"][0]["columns"]["No'"], 4);
  EXPECT_TRUE(j["records"][0]["figures"]["qrs_ppv"].is_null());
  EXPECT_DOUBLE_EQ(j["records"][0]["figures"]["qrs_se"].get<double>(), 0);
  EXPECT_EQ(j["totals"]["qrs"], 4);
  EXPECT_DOUBLE_EQ(j["options"]["start_s"].get<double>(), 300);
  EXPECT_TRUE(j.contains("build"));
  EXPECT_TRUE(j["average"].contains("rr_error_ms"));
  EXPECT_FALSE(j["records"][0]["counts"].contains("Oo"));
}
