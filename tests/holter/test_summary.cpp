// The Holter summary against values computed by hand on short synthetic
// beat sequences, and on MIT-BIH records against their reference
// annotations.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "heartwave/beats/label_sets.hpp"
#include "heartwave/holter/summary.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/io/wfdb_header.hpp"
#include "support.hpp"

using namespace heartwave;
using json = nlohmann::json;

namespace {

constexpr double kFs = 100;

// An analysis of `rr` (seconds) intervals and the classes of the beats
// (first beat at 0.5 s), every beat classified with probability p.
Analysis synthetic(const std::vector<double>& rr, const std::vector<int>& cls, float p = 0.9f) {
  Analysis a;
  a.record = "syn";
  a.fs = kFs;
  a.lead = "MLII";
  a.detector = "hw";
  double t = 0.5;
  for (std::size_t i = 0; i < cls.size(); ++i) {
    AnalyzedBeat b;
    b.sample = std::llround(t * kFs);
    b.cls = cls[i];
    b.classified = true;
    b.proba.fill((1 - p) / 4);
    b.proba[static_cast<std::size_t>(cls[i])] = p;
    a.beats.push_back(b);
    if (i < rr.size()) t += rr[i];
  }
  a.num_samples = std::llround((t + 0.5) * kFs);
  a.af.assign(cls.size(), 0);
  return a;
}

std::vector<double> lead_for(const Analysis& a) {
  std::vector<double> lead(static_cast<std::size_t>(a.num_samples));
  for (std::size_t i = 0; i < lead.size(); ++i) lead[i] = 0.1 * std::sin(static_cast<double>(i) * 0.3);
  return lead;
}

}  // namespace

// 601 normal beats alternating 0.95 s and 1.05 s apart (10 minutes): every
// NN is kept (a 10.5% change), mean NN 1000 ms, 60 bpm, SDNN the sample SD
// of 600 values +-50 ms, RMSSD 100 ms, pNN50 100%; SDANN over the two
// 5-minute segments ~0 and SDNN index ~50 ms.
TEST(Summary, HeartRateAndHrvByHand) {
  std::vector<double> rr;
  for (int i = 0; i < 600; ++i) rr.push_back(i % 2 ? 1.05 : 0.95);
  const Analysis a = synthetic(rr, std::vector<int>(601, 0));
  const auto lead = lead_for(a);
  const json s = holter_summary(a, lead, {{"file", "m.hwm"}}, "");
  EXPECT_DOUBLE_EQ(s["heart_rate"]["mean_bpm"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ(s["heart_rate"]["min_bpm"].get<double>(), 60.0);  // 8 intervals: 4 of each
  EXPECT_DOUBLE_EQ(s["heart_rate"]["max_bpm"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ(s["heart_rate"]["below_50_s"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(s["heart_rate"]["above_100_s"].get<double>(), 0.0);
  const json& h = s["hrv"];
  EXPECT_EQ(h["nn_intervals"].get<int>(), 600);
  EXPECT_NEAR(h["mean_nn_ms"].get<double>(), 1000.0, 0.05);
  EXPECT_NEAR(h["sdnn_ms"].get<double>(), 50.0 * std::sqrt(600.0 / 599.0), 0.05);
  EXPECT_NEAR(h["rmssd_ms"].get<double>(), 100.0, 0.05);
  EXPECT_NEAR(h["pnn50_percent"].get<double>(), 100.0, 0.01);
  EXPECT_NEAR(h["sdann_ms"].get<double>(), 0.0, 0.2);
  EXPECT_NEAR(h["sdnn_index_ms"].get<double>(), 50.0, 0.2);
  // The trend: one value per minute (10 min + 1 s: 11 minutes), 60 bpm
  // where whole cycles fall in the minute.
  const json& trend = s["heart_rate"]["trend"]["bpm"];
  ASSERT_EQ(trend.size(), 11u);
  EXPECT_NEAR(trend[1].get<double>(), 60.0, 1.0);
  EXPECT_EQ(s["beats"]["total"].get<int>(), 601);
  EXPECT_EQ(s["beats"]["counts"]["N"].get<int>(), 601);
  EXPECT_TRUE(s["findings"].empty());
  EXPECT_EQ(s["review"]["count"].get<int>(), 0);
  EXPECT_FALSE(s["af"]["present"].get<bool>());
  EXPECT_EQ(s["build"]["version"].get<std::string>().empty(), false);
}

// 100 beats at 75 bpm (0.8 s) with 11 isolated V beats, one VT run of 6,
// one pause of 3.5 s; one low-confidence beat.
TEST(Summary, EctopyPausesAndFindingsByHand) {
  std::vector<int> cls(120, 0);
  for (int i = 5; i < 60; i += 5) cls[static_cast<std::size_t>(i)] = 2;  // 11 isolated V
  for (int i = 80; i < 86; ++i) cls[static_cast<std::size_t>(i)] = 2;   // VT, 6 beats
  std::vector<double> rr(119, 0.8);
  for (int i = 80; i < 85; ++i) rr[static_cast<std::size_t>(i)] = 0.4;  // at 150 bpm
  rr[100] = 3.5;                                                          // a pause
  Analysis a = synthetic(rr, cls);
  a.beats[110].proba = {0.5f, 0.4f, 0.05f, 0.03f, 0.02f};
  const auto lead = lead_for(a);
  const json s = holter_summary(a, lead, {}, "");
  const json& v = s["ventricular"];
  EXPECT_EQ(v["beats"].get<int>(), 17);
  EXPECT_NEAR(v["burden_percent"].get<double>(), 100.0 * 17 / 120, 1e-9);
  EXPECT_EQ(v["isolated"].get<int>(), 11);
  EXPECT_EQ(v["couplets"].get<int>(), 0);
  EXPECT_EQ(v["runs"].get<int>(), 1);
  EXPECT_EQ(v["longest_run_beats"].get<int>(), 6);
  EXPECT_DOUBLE_EQ(v["fastest_run_bpm"].get<double>(), 150.0);
  EXPECT_EQ(s["pauses"]["count"].get<int>(), 1);
  EXPECT_DOUBLE_EQ(s["pauses"]["longest_s"].get<double>(), 3.5);
  EXPECT_EQ(s["asystole"]["count"].get<int>(), 0);
  std::vector<std::string> ids;
  for (const auto& f : s["findings"]) ids.push_back(f["id"].get<std::string>());
  EXPECT_EQ(ids, (std::vector<std::string>{"vt", "pause", "v_burden"}));
  EXPECT_EQ(s["review"]["count"].get<int>(), 1);
  EXPECT_EQ(s["review"]["listed"][0]["sample"].get<std::int64_t>(), a.beats[110].sample);
  // Strips: one per class found (N, V), then one per finding, 10 s each.
  ASSERT_EQ(s["strips"].size(), 5u);
  for (const auto& st : s["strips"]) {
    EXPECT_EQ(st["end_sample"].get<std::int64_t>() - st["start_sample"].get<std::int64_t>(), 1000);
    EXPECT_FALSE(st["beats"].empty());
  }
  // Episodes: the VT run and the pause.
  int vt = 0, pause = 0;
  for (const auto& e : s["episodes"]) vt += e["type"] == "VT", pause += e["type"] == "PAUSE";
  EXPECT_EQ(vt, 1);
  EXPECT_EQ(pause, 1);
}

TEST(Summary, FlatSignalIsUnreadable) {
  const Analysis a = synthetic(std::vector<double>(59, 1.0), std::vector<int>(60, 0));
  auto lead = lead_for(a);
  for (std::size_t i = 1000; i < 2000; ++i) lead[i] = 0.25;  // 10 s of a flat line: samples 1000..1999
  const json s = holter_summary(a, lead, {}, "");
  EXPECT_DOUBLE_EQ(s["excluded_s"].get<double>(), 10.0);
  EXPECT_NEAR(s["analysable_s"].get<double>(), s["duration_s"].get<double>() - 10.0, 1e-9);
  ASSERT_EQ(s["excluded_segments"].size(), 1u);
  EXPECT_DOUBLE_EQ(s["excluded_segments"][0]["start_s"].get<double>(), 10.0);
}

namespace {

// The summary of a record's reference annotations: every beat at its
// annotated position with its AAMI class.
Analysis from_reference(const std::string& name, const Header& info, std::vector<Annotation>& rhythm) {
  Analysis a;
  a.record = name;
  a.fs = info.sampling_frequency;
  a.num_samples = info.num_samples;
  a.lead = "MLII";
  for (const Annotation& x : read_annotations(heartwave::test::mitdb_dir() / (name + ".atr"))) {
    if (x.code == 28) rhythm.push_back(x);
    const auto c = class_of(LabelSet::aami, x.code);
    if (!c) continue;
    AnalyzedBeat b;
    b.sample = x.time, b.cls = *c, b.classified = true;
    b.proba[static_cast<std::size_t>(*c)] = 1;
    a.beats.push_back(b);
  }
  a.af.assign(a.beats.size(), 0);
  return a;
}

std::size_t count_rhythm(const std::vector<Annotation>& rhythm, const std::string& aux) {
  std::size_t n = 0;
  for (const auto& r : rhythm) n += r.aux.substr(0, r.aux.find('\0')) == aux;
  return n;
}

}  // namespace

// Record 119 (ventricular bigeminy and trigeminy): the summary of its
// reference beats gives MIT-BIH's published counts (1,543 N, 444 V) and
// finds the bigeminy and trigeminy episodes the cardiologists annotated.
// Record 207: its annotated VT is found as a run.
TEST(Summary, MitBihReferenceCountsAndEpisodes) {
  for (const std::string name : {"119", "207"}) {
    const Header info = read_header(heartwave::test::mitdb_dir() / (name + ".hea"));
    std::vector<Annotation> rhythm;
    const Analysis a = from_reference(name, info, rhythm);
    const std::vector<double> lead(static_cast<std::size_t>(a.num_samples), 0.5);  // (no unreadable check here)
    SummaryOptions o;
    o.flat_mv = -1;
    const json s = holter_summary(a, lead, {}, "", o);
    if (name == "119") {
      EXPECT_EQ(s["beats"]["counts"]["N"].get<int>(), 1543);
      EXPECT_EQ(s["beats"]["counts"]["V"].get<int>(), 444);
      EXPECT_NEAR(s["ventricular"]["burden_percent"].get<double>(), 100.0 * 444 / 1987, 1e-9);
      EXPECT_GE(s["ventricular"]["bigeminy_episodes"].get<std::size_t>(), count_rhythm(rhythm, "(B") / 2);
      EXPECT_GE(s["ventricular"]["trigeminy_episodes"].get<std::size_t>(), 1u);
      EXPECT_EQ(s["ventricular"]["runs"].get<int>(), 0);
    } else {
      EXPECT_GE(s["ventricular"]["runs"].get<std::size_t>(), count_rhythm(rhythm, "(VT"));
    }
  }
}
