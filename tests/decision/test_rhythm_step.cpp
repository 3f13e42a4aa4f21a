#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "heartwave/data/builder.hpp"
#include "heartwave/data/reader.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/decision/rhythm_step.hpp"
#include "heartwave/train/fit_rhythm_step.hpp"
#include "heartwave/beats/rr.hpp"
#include "support.hpp"

using namespace heartwave;

namespace {

constexpr double kFs = 360;
constexpr std::int32_t N = 0, S = 1, V = 2;

// Beat times from RR intervals (samples), starting at 100.
std::vector<std::int64_t> times_of(const std::vector<int>& rr) {
  std::vector<std::int64_t> t{100};
  for (int r : rr) t.push_back(t.back() + r);
  return t;
}

// An AF-like record: RR drawn uniformly from 200..500 samples (seeded).
std::vector<int> irregular_rr(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(200, 500);
  std::vector<int> rr(n);
  for (auto& r : rr) r = d(rng);
  return rr;
}

}  // namespace

TEST(RhythmStep, StatsByHand) {
  // Alternating 300 / 420 samples: every |dRR| is 120 samples; the upper
  // median RR is 420, so the irregularity is 120 / 420.
  std::vector<int> rr;
  for (int i = 0; i < 40; ++i) rr.push_back(i % 2 ? 420 : 300);
  const auto t = times_of(rr);
  const std::vector<std::int32_t> pred(t.size(), N);
  std::vector<float> p(t.size(), 0.9f);
  p[20] = -1.0f;  // one odd P wave does not move the window's median
  const auto s = rhythm_stats(t, pred, p, kFs, 16, 8);
  ASSERT_EQ(s.irregularity.size(), t.size());
  EXPECT_NEAR(s.irregularity[20], 120.0 / 420.0, 1e-12);
  EXPECT_NEAR(s.irregularity[0], 120.0 / 420.0, 1e-12);  // window clipped at the start
  EXPECT_FLOAT_EQ(static_cast<float>(s.p_wave[20]), 0.9f);
  // A regular rhythm: irregularity 0.
  const auto reg = times_of(std::vector<int>(40, 300));
  EXPECT_EQ(rhythm_stats(reg, pred, p, kFs, 16, 8).irregularity[10], 0.0);
  // Pre-RR over the record's mean RR (360 samples here): the first beat
  // takes the interval after it.
  EXPECT_NEAR(s.pre_ratio[20], 420.0 / 360.0, 1e-12);
  EXPECT_NEAR(s.pre_ratio[21], 300.0 / 360.0, 1e-12);
  EXPECT_NEAR(s.pre_ratio[0], 300.0 / 360.0, 1e-12);
  const std::vector<std::int64_t> lone{500};
  EXPECT_EQ(rhythm_stats(lone, std::vector<std::int32_t>{N}, std::vector<float>{0.5f}, kFs, 16, 8).pre_ratio[0], 1.0);
}

TEST(RhythmStep, PrematureBeatsBecomeSUnlessInAf) {
  // Sinus at 330 samples with a premature beat (200) every 8th interval,
  // which the model called N; one of them it called V.
  std::vector<int> rr;
  for (int i = 0; i < 64; ++i) rr.push_back(i % 8 == 7 ? 200 : 330);
  const auto t = times_of(rr);
  std::vector<std::int32_t> pred(t.size(), N);
  pred[16] = V;
  const std::vector<float> p(t.size(), 0.9f);
  const auto st = rhythm_stats(t, pred, p, kFs, 16, 8);
  const double mean = static_cast<double>(t.back() - t.front()) / static_cast<double>(t.size() - 1);
  EXPECT_NEAR(st.pre_ratio[8], 200 / mean, 1e-12);
  RhythmStep g;
  g.enabled = true;
  g.irregularity = 0.1;
  g.p_wave = 0.8;  // P waves present (0.9): the AF gate stays out of it
  g.premature = 0.8;
  auto out = pred;
  apply_rhythm_step(out, st, g);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const bool premature = i > 0 && i % 8 == 0;
    EXPECT_EQ(out[i], i == 16 ? V : premature ? S : N) << i;  // V calls are never changed
  }
  g.premature = 0.6;  // 200 / mean is about 0.64: not premature enough
  out = pred;
  apply_rhythm_step(out, st, g);
  EXPECT_EQ(out, pred);
  // Inside AF (irregular, no P wave), the beats made S go back to N.
  const auto af = times_of(irregular_rr(60, 3));
  const std::vector<std::int32_t> af_pred(af.size(), N);
  const std::vector<float> low(af.size(), 0.1f);
  const auto af_st = rhythm_stats(af, af_pred, low, kFs, 16, 8);
  g.premature = 0.9;
  ASSERT_GT(std::count_if(af_st.pre_ratio.begin(), af_st.pre_ratio.end(), [](double r) { return r < 0.9; }), 10);
  out = af_pred;
  apply_rhythm_step(out, af_st, g);
  EXPECT_EQ(out, af_pred);
  g.p_wave = -2;  // no AF gate: the prematurity rule alone
  apply_rhythm_step(out, af_st, g);
  EXPECT_GT(std::count(out.begin(), out.end(), S), 10);
}

// The record adaptation: the model found some of a patient's premature
// beats; a discriminant on the two prematurity ratios, fitted to the record's
// own S and N decisions, finds the rest, and nothing else.
TEST(RhythmStep, RecordAdaptationFindsThePatientsOtherPrematureBeats) {
  // Sinus at 330 samples with a premature beat (230, about 0.72 of the mean)
  // every 8th interval; the model called every other one S, one V.
  std::vector<int> rr;
  for (int i = 0; i < 160; ++i) rr.push_back(i % 8 == 7 ? 230 : 330);
  const auto t = times_of(rr);
  std::vector<std::int32_t> pred(t.size(), N);
  std::size_t premature = 0;
  for (std::size_t i = 8; i < t.size(); i += 8)
    if (premature++ % 2 == 0) pred[i] = S;
  pred[24] = V;
  const std::vector<float> p(t.size(), 0.9f);
  const auto st = rhythm_stats(t, pred, p, kFs, 16, 8);
  ASSERT_GT(st.pre_ratio[16], 0.6);  // above any prematurity ratio the grid offers below 0.7
  RhythmStep g;
  g.enabled = true;
  g.irregularity = 0.1;
  g.p_wave = 0.8;  // P waves present: no AF gate
  g.adapt_min_beats = 5;
  auto out = pred;
  apply_rhythm_step(out, st, g);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const bool is_premature = i > 0 && i % 8 == 0;
    EXPECT_EQ(out[i], i == 24 ? V : is_premature ? S : N) << i;
  }
  // The same through step_decisions, the record's rows shuffled among another record's.
  std::vector<std::int32_t> record(t.size(), 7);
  std::vector<std::int32_t> p2 = pred;
  std::vector<std::int64_t> t2 = t;
  std::vector<float> w2 = p;
  for (std::size_t i = 0; i < 40; ++i) {
    record.push_back(9);
    p2.push_back(N);
    t2.push_back(100 + 330 * static_cast<std::int64_t>(i));
    w2.push_back(0.9f);
  }
  std::reverse(record.begin(), record.end());
  std::reverse(p2.begin(), p2.end());
  std::reverse(t2.begin(), t2.end());
  auto both = step_decisions(p2, record, t2, w2, kFs, g);
  std::reverse(both.begin(), both.end());
  EXPECT_EQ(std::vector<std::int32_t>(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(t.size())), out);
  EXPECT_EQ(std::count(both.begin(), both.end(), S), std::count(out.begin(), out.end(), S));  // record 9 has no S to learn from
  // Fewer S decisions in the record than asked for: no adaptation.
  g.adapt_min_beats = static_cast<int>(std::count(pred.begin(), pred.end(), S)) + 1;
  out = pred;
  apply_rhythm_step(out, st, g);
  EXPECT_EQ(out, pred);
  // The same record followed by atrial fibrillation (irregular, no P wave):
  // its short intervals look like the premature beats, but inside gated
  // windows nothing becomes S.
  std::vector<int> mixed = rr;
  const auto irregular = irregular_rr(120, 5);
  mixed.insert(mixed.end(), irregular.begin(), irregular.end());
  const auto tm = times_of(mixed);
  std::vector<std::int32_t> mixed_pred(tm.size(), N);
  std::copy(pred.begin(), pred.end(), mixed_pred.begin());
  std::vector<float> pw(tm.size(), 0.9f);
  std::fill(pw.begin() + static_cast<std::ptrdiff_t>(t.size()), pw.end(), 0.1f);
  const auto mst = rhythm_stats(tm, mixed_pred, pw, kFs, 16, 8);
  g.adapt_min_beats = 5;
  out = mixed_pred;
  apply_rhythm_step(out, mst, g);
  std::size_t short_in_af = 0;
  for (std::size_t i = t.size() + 17; i < tm.size(); ++i) {
    short_in_af += mst.pre_ratio[i] < 0.8;
    EXPECT_EQ(out[i], N) << i;
  }
  EXPECT_GT(short_in_af, 20u);
  g.p_wave = -2;  // without the AF gate, the adaptation would call some of them S
  out = mixed_pred;
  apply_rhythm_step(out, mst, g);
  EXPECT_GT(std::count(out.begin() + static_cast<std::ptrdiff_t>(t.size()) + 17, out.end(), S), 5);
}

// The adaptation's form options, each on a record where it matters.
TEST(RhythmStep, RecordAdaptationForms) {
  RhythmStep g;
  g.enabled = true;
  g.irregularity = 0.1;
  g.p_wave = 0.8;
  g.adapt_min_beats = 5;
  // Junctional-like beats: on time (every interval 330) but with another P
  // wave (tpl_corr_p 0.1 against 0.9). The model called every other one S.
  // Rhythm says nothing; the beat's own P wave, as a third input, finds the rest.
  const auto t = times_of(std::vector<int>(160, 330));
  std::vector<std::int32_t> pred(t.size(), N);
  std::vector<float> p(t.size(), 0.9f);
  std::size_t k = 0;
  for (std::size_t i = 8; i < t.size(); i += 8) {
    p[i] = 0.1f;
    if (k++ % 2 == 0) pred[i] = S;
  }
  const auto st = rhythm_stats(t, pred, p, kFs, 16, 8);
  ASSERT_EQ(st.beat_p_wave[8], 0.1f);
  auto out = pred;
  apply_rhythm_step(out, st, g);
  EXPECT_EQ(out, pred);  // two prematurity ratios: nothing to go on
  g.adapt_third = AdaptInput::p_wave;
  out = pred;
  apply_rhythm_step(out, st, g);
  for (std::size_t i = 0; i < t.size(); ++i) EXPECT_EQ(out[i], i > 0 && i % 8 == 0 ? S : N) << i;
  g.adapt_third = AdaptInput::none;

  // Premature beats (230 +- 10 samples) among sinus beats (330 +- 20), half
  // called S, plus one false S call at a sinus beat and one beat at 275.
  std::vector<int> rr;
  std::uint32_t x = 12345;
  const auto jitter = [&](int amplitude) {
    x = x * 1664525u + 1013904223u;
    return static_cast<int>((x >> 16) % static_cast<std::uint32_t>(2 * amplitude + 1)) - amplitude;
  };
  for (int i = 0; i < 240; ++i) rr.push_back(i % 8 == 7 ? 230 + jitter(10) : 330 + jitter(20));
  rr[100] = 275;  // interval 100 ends at beat 101, halfway in time
  const auto t2 = times_of(rr);
  std::vector<std::int32_t> pred2(t2.size(), N);
  k = 0;
  for (std::size_t i = 8; i < t2.size(); i += 8)
    if (k++ % 2 == 0) pred2[i] = S;
  pred2[50] = S;  // a false call at a sinus beat
  const std::vector<float> p2(t2.size(), 0.9f);
  const auto st2 = rhythm_stats(t2, pred2, p2, kFs, 16, 8);
  out = pred2;
  apply_rhythm_step(out, st2, g);
  for (std::size_t i = 8; i < t2.size(); i += 8) EXPECT_EQ(out[i], S) << i;
  EXPECT_EQ(out[50], S);   // S calls are kept by default
  EXPECT_EQ(out[101], N);  // the class shares (about 1 S in 16) keep a beat halfway N
  const auto s_count = std::count(out.begin(), out.end(), S);
  g.adapt_take_back = true;
  auto back = pred2;
  apply_rhythm_step(back, st2, g);
  EXPECT_EQ(back[50], N);  // taken back: its rhythm is the record's sinus rhythm
  EXPECT_EQ(std::count(back.begin(), back.end(), S), s_count - 1);
  g.adapt_take_back = false;
  g.adapt_equal_priors = true;
  auto equal = pred2;
  apply_rhythm_step(equal, st2, g);
  EXPECT_EQ(equal[101], S);  // equal priors: halfway is enough
  for (std::size_t i = 0; i < t2.size(); ++i) {
    if (out[i] == S) {
      EXPECT_EQ(equal[i], S) << i;  // and nothing S with shares is lost
    }
  }
  // rr_post_local is the feature's post-RR over the local mean.
  const auto rr_f = rr_features(t2, t2, kFs);
  for (std::size_t i = 0; i < t2.size(); ++i) ASSERT_EQ(st2.post_local_ratio[i], rr_f[i][kRRPostOverLocal]) << i;
}

TEST(RhythmStep, IntervalsTouchingVBeatsAreLeftOut) {
  // Ventricular bigeminy: N V N V ..., short coupling then a long pause. No
  // interval is between two non-V beats, so there is no verdict (NaN).
  std::vector<int> rr;
  for (int i = 0; i < 40; ++i) rr.push_back(i % 2 ? 500 : 250);
  const auto t = times_of(rr);
  std::vector<std::int32_t> pred(t.size(), N);
  for (std::size_t i = 1; i < pred.size(); i += 2) pred[i] = V;
  const std::vector<float> p(t.size(), 0.0f);
  const auto s = rhythm_stats(t, pred, p, kFs, 16, 8);
  for (double v : s.irregularity) EXPECT_TRUE(std::isnan(v));
  // Called S instead, the same rhythm is irregular and gets a verdict.
  for (std::size_t i = 1; i < pred.size(); i += 2) pred[i] = S;
  EXPECT_NEAR(rhythm_stats(t, pred, p, kFs, 16, 8).irregularity[20], 250.0 / 500.0, 1e-12);
  // Too few differences: no verdict.
  EXPECT_TRUE(std::isnan(rhythm_stats(t, pred, p, kFs, 3, 8).irregularity[20]));
}

TEST(RhythmStep, GatesSOnlyWhereBothSignsHold) {
  const auto t = times_of(irregular_rr(60, 1));
  std::vector<std::int32_t> pred(t.size(), N);
  pred[10] = S;
  pred[30] = S;
  pred[31] = V;
  std::vector<float> low(t.size(), 0.1f), high(t.size(), 0.95f);
  RhythmStep g;
  g.enabled = true;
  g.irregularity = 0.1;
  g.p_wave = 0.8;
  auto out = pred;
  apply_rhythm_step(out, rhythm_stats(t, pred, low, kFs, 16, 8), g);
  EXPECT_EQ(out[10], N);
  EXPECT_EQ(out[30], N);
  EXPECT_EQ(out[31], V);  // V calls are never touched
  out = pred;
  apply_rhythm_step(out, rhythm_stats(t, pred, high, kFs, 16, 8), g);  // P waves present
  EXPECT_EQ(out, pred);
  g.irregularity = 5.0;  // not irregular enough
  out = pred;
  apply_rhythm_step(out, rhythm_stats(t, pred, low, kFs, 16, 8), g);
  EXPECT_EQ(out, pred);
  g = RhythmStep{};  // disabled
  apply_rhythm_step(out, rhythm_stats(t, pred, low, kFs, 16, 8), g);
  EXPECT_EQ(out, pred);
  EXPECT_THROW(rhythm_stats(t, std::vector<std::int32_t>(3, N), low, kFs, 16, 8), InvalidArgument);
  auto back = t;
  back[5] = back[4];
  EXPECT_THROW(rhythm_stats(back, pred, low, kFs, 16, 8), InvalidArgument);
}

namespace {

// Two kinds of record: "AF" ones (irregular, no P wave, every beat N, some
// called S) and sinus ones with true premature S beats, called S, whose own
// RR pattern is irregular too but whose P waves match.
struct Synthetic {
  std::vector<std::int32_t> pred, truth, record, fold;
  std::vector<std::int64_t> r_sample;
  std::vector<float> p_wave;
};

Synthetic synthetic(int records) {
  Synthetic d;
  for (int r = 0; r < records; ++r) {
    const bool af = r % 2 == 0;
    std::vector<int> rr;
    if (af) rr = irregular_rr(200, static_cast<unsigned>(r));
    else
      for (int i = 0; i < 200; ++i) rr.push_back(i % 4 == 3 ? 200 : 330);  // a premature beat every 4th
    const auto t = times_of(rr);
    for (std::size_t i = 0; i < t.size(); ++i) {
      const bool premature = !af && i % 4 == 0 && i > 0;
      d.truth.push_back(premature ? S : N);
      d.pred.push_back(premature || (af && i % 5 == 0) ? S : N);
      d.record.push_back(100 + r);
      d.fold.push_back(r);
      d.r_sample.push_back(t[i]);
      d.p_wave.push_back(af ? 0.2f : 0.9f);
    }
  }
  return d;
}

}  // namespace

TEST(RhythmStep, DecisionsOverRecordsInAnyOrder) {
  const Synthetic d = synthetic(4);
  RhythmStep g;
  g.enabled = true;
  g.irregularity = 0.1;
  g.p_wave = 0.5;
  const auto out = step_decisions(d.pred, d.record, d.r_sample, d.p_wave, kFs, g);
  // Reversed rows give the same decisions, reversed.
  auto rev = [](auto v) { return decltype(v)(v.rbegin(), v.rend()); };
  EXPECT_EQ(rev(step_decisions(rev(d.pred), rev(d.record), rev(d.r_sample), rev(d.p_wave), kFs, g)), out);
  std::size_t af_false_s = 0, sinus_true_s = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (d.record[i] % 2 == 0 && d.pred[i] == S) {
      EXPECT_EQ(out[i], N) << i;
    }
    if (d.record[i] % 2 == 1 && d.pred[i] == S) {
      EXPECT_EQ(out[i], S) << i;
    }
    af_false_s += d.record[i] % 2 == 0 && d.pred[i] == S;
    sinus_true_s += d.record[i] % 2 == 1 && d.pred[i] == S;
  }
  EXPECT_GT(af_false_s, 50u);
  EXPECT_GT(sinus_true_s, 50u);
  auto dup = d.r_sample;
  dup[1] = dup[0];
  EXPECT_THROW(step_decisions(d.pred, d.record, dup, d.p_wave, kFs, g), InvalidArgument);
  // Rows of no record (SMOTE rows: record -1) keep their decisions.
  auto rec = d.record;
  for (std::size_t i = 0; i < 300; ++i) rec[i] = -1;
  dup = d.r_sample;
  for (std::size_t i = 0; i < 300; ++i) dup[i] = -1;
  const auto kept = step_decisions(d.pred, rec, dup, d.p_wave, kFs, g);
  for (std::size_t i = 0; i < 300; ++i) EXPECT_EQ(kept[i], d.pred[i]);
}

TEST(RhythmStep, FitFindsTheGateAndANestedEstimate) {
  const Synthetic d = synthetic(6);
  const RhythmStepFit fit = fit_rhythm_step(d.pred, d.truth, d.record, d.r_sample, d.p_wave, kFs, d.fold);
  EXPECT_TRUE(fit.gate.enabled);
  EXPECT_GT(fit.gate.p_wave, 0.2);   // separates the records' P waves
  EXPECT_LT(fit.gate.p_wave, 0.95);  // (0.95 would gate the sinus records' S beats)
  EXPECT_GT(fit.macro_f1_gated, fit.macro_f1_before + 0.05);
  EXPECT_EQ(fit.fold_gates.size(), 6u);
  EXPECT_GT(fit.macro_f1_nested, fit.macro_f1_before);
  // The nested decisions are the ones the nested figure scores.
  ASSERT_EQ(fit.nested_decisions.size(), d.pred.size());
  EXPECT_DOUBLE_EQ(compute_metrics(d.truth, fit.nested_decisions).f1_macro, fit.macro_f1_nested);
  // When every S call is a true premature beat, no gate helps.
  Synthetic clean = d;
  for (std::size_t i = 0; i < clean.pred.size(); ++i) clean.truth[i] = clean.pred[i];
  const RhythmStepFit none = fit_rhythm_step(clean.pred, clean.truth, clean.record, clean.r_sample, clean.p_wave, kFs);
  EXPECT_FALSE(none.gate.enabled);
  EXPECT_EQ(none.macro_f1_nested, -1);
  EXPECT_TRUE(none.nested_decisions.empty());
  EXPECT_DOUBLE_EQ(none.macro_f1_gated, none.macro_f1_before);
  // When the model misses the sinus records' premature beats (RR 200 samples,
  // about 0.67 of the mean; the others 1.11), the fit finds the prematurity
  // rule and still gates the AF records.
  Synthetic missed = d;
  for (std::size_t i = 0; i < missed.pred.size(); ++i)
    if (missed.record[i] % 2 == 1) missed.pred[i] = N;
  const RhythmStepFit prem = fit_rhythm_step(missed.pred, missed.truth, missed.record, missed.r_sample, missed.p_wave, kFs, missed.fold);
  EXPECT_GT(prem.gate.premature, 0.68);
  EXPECT_LT(prem.gate.premature, 1.1);
  EXPECT_LT(prem.gate.p_wave, 0.9);
  EXPECT_DOUBLE_EQ(prem.macro_f1_gated, 1.0);
  EXPECT_DOUBLE_EQ(prem.macro_f1_nested, 1.0);
  EXPECT_EQ(prem.gate.adapt_min_beats, 0);  // not needed: ties keep the simpler step
  // Premature beats only slightly early (300 samples against 330, about 0.93
  // of the mean: above every ratio the grid offers), of which the model found
  // every other one: only the record adaptation finds the rest.
  Synthetic slight = d;
  std::vector<std::int64_t> t_new;
  for (std::size_t i = 0; i < slight.pred.size(); ++i) {
    if (i == 0 || slight.record[i] != slight.record[i - 1]) t_new.push_back(100);
    else {
      const bool sinus = slight.record[i] % 2 == 1;
      const std::int64_t gap = slight.r_sample[i] - slight.r_sample[i - 1];
      t_new.push_back(t_new.back() + (sinus && gap == 200 ? 300 : gap));
    }
    if (slight.record[i] % 2 == 1 && slight.truth[i] == S && (i / 4) % 2 == 0) slight.pred[i] = N;
  }
  slight.r_sample = t_new;
  const RhythmStepFit adapted = fit_rhythm_step(slight.pred, slight.truth, slight.record, slight.r_sample, slight.p_wave, kFs, slight.fold);
  EXPECT_GT(adapted.gate.adapt_min_beats, 0);
  EXPECT_DOUBLE_EQ(adapted.macro_f1_gated, 1.0);
  EXPECT_DOUBLE_EQ(adapted.macro_f1_nested, 1.0);
  RhythmStep without = adapted.gate;
  without.adapt_min_beats = 0;
  EXPECT_LT(compute_metrics(slight.truth, step_decisions(slight.pred, slight.record, slight.r_sample, slight.p_wave, kFs, without)).f1_macro,
            0.95);
}

TEST(RhythmStep, JsonRoundTripAndErrors) {
  RhythmStep g;
  g.enabled = true;
  g.irregularity = 0.12;
  g.p_wave = 0.8;
  const nlohmann::json decision = {{"class_weights", {1, 1, 1, 1, 1}}, {"rhythm_step", to_json(g)}};
  EXPECT_EQ(rhythm_step_from_json(decision), g);
  EXPECT_EQ(model_rhythm_step({{"decision", decision}}), g);
  EXPECT_FALSE(model_rhythm_step(nlohmann::json::object()).enabled);
  EXPECT_FALSE(rhythm_step_from_json({{"class_weights", {1, 1, 1, 1, 1}}}).enabled);
  const auto error_of = [&](const char* key, const nlohmann::json& value) {
    nlohmann::json bad = decision;
    bad["rhythm_step"][key] = value;
    try {
      rhythm_step_from_json(bad);
    } catch (const FormatError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(error_of("enabled", 1).find("decision.rhythm_step.enabled"), std::string::npos);
  EXPECT_NE(error_of("irregularity", "high").find("decision.rhythm_step.irregularity: not a number"), std::string::npos);
  EXPECT_NE(error_of("irregularity", -1).find("must not be negative"), std::string::npos);
  EXPECT_NE(error_of("half_window", 2.5).find("decision.rhythm_step.half_window: expected a whole number"), std::string::npos);
  EXPECT_NE(error_of("min_differences", 0).find("min_differences"), std::string::npos);
  EXPECT_NE(error_of("premature", -0.1).find("decision.rhythm_step.premature: expected a ratio"), std::string::npos);
  EXPECT_NE(error_of("premature", "short").find("decision.rhythm_step.premature: not a number"), std::string::npos);
  g.premature = 0.75;
  EXPECT_EQ(rhythm_step_from_json({{"rhythm_step", to_json(g)}}).premature, 0.75);
  nlohmann::json old_model = decision;  // files from before the prematurity rule: none
  old_model["rhythm_step"].erase("premature");
  EXPECT_EQ(rhythm_step_from_json(old_model).premature, 0.0);
  EXPECT_EQ(rhythm_step_from_json(old_model).adapt_min_beats, 0);  // nor the record adaptation
  g.adapt_min_beats = 10;
  EXPECT_EQ(rhythm_step_from_json({{"rhythm_step", to_json(g)}}), g);
  EXPECT_NE(error_of("adapt_min_beats", 2.5).find("decision.rhythm_step.adapt_min_beats: expected a whole number"), std::string::npos);
  EXPECT_NE(error_of("adapt_min_beats", -1).find("adapt_min_beats"), std::string::npos);
  EXPECT_NE(error_of("adapt_min_beats", 1e300).find("adapt_min_beats"), std::string::npos);
  EXPECT_NE(error_of("adapt_min_beats", 10.0).find("adapt_min_beats: expected a whole number"), std::string::npos);
  EXPECT_NE(error_of("half_window", 16.0).find("half_window: expected a whole number"), std::string::npos);
  EXPECT_EQ(rhythm_step_from_json({{"rhythm_step", {{"enabled", true}, {"adapt_min_beats", 0}}}}).adapt_min_beats, 0);
  // The adaptation's form: absent (files from before the options) is the first form.
  EXPECT_FALSE(rhythm_step_from_json(old_model).adapt_equal_priors);
  EXPECT_FALSE(rhythm_step_from_json(old_model).adapt_take_back);
  EXPECT_EQ(rhythm_step_from_json(old_model).adapt_third, AdaptInput::none);
  for (const AdaptInput third : {AdaptInput::none, AdaptInput::rr_post_local, AdaptInput::p_wave}) {
    g.adapt_third = third;
    g.adapt_equal_priors = third == AdaptInput::p_wave;
    g.adapt_take_back = third == AdaptInput::rr_post_local;
    EXPECT_EQ(rhythm_step_from_json({{"rhythm_step", to_json(g)}}), g);
  }
  EXPECT_EQ(to_json(g)["adapt_third"], "tpl_corr_p");
  EXPECT_EQ(to_json(g)["adapt_priors"], "equal");
  EXPECT_NE(error_of("adapt_priors", "flat").find("decision.rhythm_step.adapt_priors: expected"), std::string::npos);
  EXPECT_NE(error_of("adapt_third", 2).find("decision.rhythm_step.adapt_third: expected"), std::string::npos);
  EXPECT_NE(error_of("adapt_take_back", "yes").find("decision.rhythm_step.adapt_take_back: expected true or false"), std::string::npos);
  nlohmann::json bad = decision;
  bad["rhythm_step"] = 3;
  EXPECT_THROW(rhythm_step_from_json(bad), FormatError);
}

TEST(RhythmStep, PWaveColumnOfExtractedFeatures) {
  const auto names = feature_names(true);
  std::vector<float> f(2 * names.size(), 0.0f);
  const auto c = static_cast<std::size_t>(std::find(names.begin(), names.end(), "tpl_corr_p") - names.begin());
  ASSERT_LT(c, names.size());
  f[c] = 0.25f;
  f[names.size() + c] = -0.5f;
  EXPECT_EQ(p_wave_from_features(f, feature_names(true).size()), (std::vector<float>{0.25f, -0.5f}));
  EXPECT_THROW(p_wave_from_features(std::span<const float>(f).first(f.size() - 1), feature_names(true).size()), InvalidArgument);
}

// A dataset's feat and feat_only rows give the same P-wave column, the
// feature as extracted (to float precision); samples-only rows are refused.
TEST(RhythmStep, PWaveColumnOfDatasetRows) {
  heartwave::test::TempDir out;
  BuildOptions o;
  o.data_dir = heartwave::test::mitdb_dir();
  o.out_dir = out.path();
  o.protocol = Protocol::inter_patient;
  o.labels = LabelSet::aami;
  o.records = {"101", "106", "100"};
  o.smote = false;
  o.folds = 2;
  build_dataset(o);
  const auto man = read_manifest(out.path());
  const Rows feat_only = load_evaluation_split(out.path(), "test", View::feat_only);
  const Rows feat = load_evaluation_split(out.path(), "test", View::feat);
  const auto a = p_wave_from_rows(feat_only, man), b = p_wave_from_rows(feat, man);
  ASSERT_EQ(a.size(), feat_only.n);
  EXPECT_EQ(a, b);
  float lo = 2, hi = -2;
  for (float v : a) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_GE(lo, -1.0001f);  // a correlation, un-standardised
  EXPECT_LE(hi, 1.0001f);
  EXPECT_GT(hi, 0.5f);  // record 100's sinus P waves match its dominant beat
  EXPECT_THROW(p_wave_from_rows(load_evaluation_split(out.path(), "test", View::base), man), InvalidArgument);
  // The P regions, de-standardised, are the same from the base and feat
  // views; feat_only holds no samples. Record 100 (sinus rhythm) has a
  // coherent P wave over every window of its beats.
  const Rows base = load_evaluation_split(out.path(), "test", View::base);
  const auto rb = p_regions_from_rows(base, man), rf = p_regions_from_rows(feat, man);
  ASSERT_EQ(rb.size(), base.n * kPRegionLength);
  EXPECT_EQ(rb, rf);
  EXPECT_THROW(p_regions_from_rows(feat_only, man), InvalidArgument);
  // A manifest without what the coherence reads: a FormatError naming the field.
  for (const char* drop : {"standardize", "window"}) {
    auto broken = man;
    broken["preprocessing"].erase(drop);
    try {
      (void)p_regions_from_rows(base, broken);
      ADD_FAILURE() << drop;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("preprocessing.") + drop), std::string::npos) << e.what();
    }
  }
  auto short_scale = man;
  short_scale["preprocessing"]["standardize"]["base"]["scale"].erase(0);
  EXPECT_THROW(p_regions_from_rows(base, short_scale), FormatError);
  std::vector<std::int64_t> t;
  std::vector<float> regions;
  for (std::size_t i = 0; i < base.n; ++i)
    if (base.record[i] == 100) {
      t.push_back(base.r_sample[i]);
      regions.insert(regions.end(), rb.begin() + static_cast<std::ptrdiff_t>(i * kPRegionLength),
                     rb.begin() + static_cast<std::ptrdiff_t>((i + 1) * kPRegionLength));
    }
  ASSERT_GT(t.size(), 2000u);
  ASSERT_TRUE(std::is_sorted(t.begin(), t.end()));
  const auto st = rhythm_stats(t, std::vector<std::int32_t>(t.size(), N), std::vector<float>(t.size(), 0.5f), kFs, 32, 8, false, regions);
  EXPECT_GT(*std::min_element(st.p_coherence.begin(), st.p_coherence.end()), 0.5);
}

// A second pass, refitted on the first pass's decisions, reaches beats the
// model's own S calls did not: three kinds of premature beat, only the
// earliest of which the model called (half of them).
TEST(RhythmStep, RecordAdaptationPasses) {
  std::vector<int> rr;
  std::uint32_t x = 777;
  const auto jitter = [&](int amplitude) {
    x = x * 1664525u + 1013904223u;
    return static_cast<int>((x >> 16) % static_cast<std::uint32_t>(2 * amplitude + 1)) - amplitude;
  };
  // Every 6th interval premature, cycling through 200, 235 and 265 samples.
  for (int i = 0; i < 360; ++i) rr.push_back(i % 6 == 5 ? std::array{200, 235, 265}[(i / 6) % 3] + jitter(4) : 330 + jitter(15));
  const auto t = times_of(rr);
  std::vector<std::int32_t> pred(t.size(), N);
  std::size_t k = 0;
  for (std::size_t i = 6; i < t.size(); i += 18)
    if (k++ % 2 == 0) pred[i] = S;
  const std::vector<float> p(t.size(), 0.9f);
  const auto st = rhythm_stats(t, pred, p, kFs, 16, 8);
  RhythmStep g;
  g.enabled = true;
  g.irregularity = 0.1;
  g.p_wave = 0.8;
  g.adapt_min_beats = 5;
  // Beat i ends interval i - 1; the premature ones and their kind (0: 200, 1: 235, 2: 265).
  const auto kind = [&](std::size_t i) { return i > 0 && i % 6 == 0 ? static_cast<int>(((i - 1) / 6) % 3) : -1; };
  const auto s_where = [&](int passes) {
    g.adapt_passes = passes;
    auto out = pred;
    apply_rhythm_step(out, st, g);
    return out;
  };
  const auto one = s_where(1), two = s_where(2), three = s_where(3);
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(one[i], kind(i) == 0 || kind(i) == 1 ? S : N) << i;  // one pass: the two earlier kinds
    EXPECT_EQ(three[i], kind(i) >= 0 ? S : N) << i;                // three: every premature beat, no sinus beat
    if (one[i] == S) {
      EXPECT_EQ(two[i], S) << i;  // a pass only adds (no taking back)
    }
    if (two[i] == S) {
      EXPECT_EQ(three[i], S) << i;
    }
  }
  EXPECT_GT(std::count(two.begin(), two.end(), S), std::count(one.begin(), one.end(), S) + 10);
  // Passes stop when one changes nothing: ten passes are three, and a
  // further pass over their decisions changes nothing.
  EXPECT_EQ(s_where(kMaxAdaptPasses), three);
  auto again = three;
  g.adapt_passes = 1;
  apply_rhythm_step(again, st, g);
  EXPECT_EQ(again, three);
  // decision.json: absent is one pass (files from before the option); out of range or not whole, refused.
  g.adapt_passes = 3;
  EXPECT_EQ(rhythm_step_from_json(nlohmann::json{{"rhythm_step", to_json(g)}}), g);
  nlohmann::json j = to_json(g);
  j.erase("adapt_passes");
  EXPECT_EQ(rhythm_step_from_json(nlohmann::json{{"rhythm_step", j}}).adapt_passes, 1);
  for (const nlohmann::json& bad : {nlohmann::json(0), nlohmann::json(kMaxAdaptPasses + 1), nlohmann::json(2.0), nlohmann::json("2")}) {
    j["adapt_passes"] = bad;
    EXPECT_THROW(rhythm_step_from_json(nlohmann::json{{"rhythm_step", j}}), FormatError) << bad;
  }
  // The fit keeps the passes it is given in every adaptation it tries, and
  // refuses a count out of range.
  std::vector<std::int32_t> truth(t.size(), N), record(t.size(), 1);
  for (std::size_t i = 0; i < t.size(); ++i)
    if (kind(i) >= 0) truth[i] = S;
  const auto fit = fit_rhythm_step(pred, truth, record, t, p, kFs, {}, {.adapt_passes = 3});
  EXPECT_GT(fit.gate.adapt_min_beats, 0);
  EXPECT_EQ(fit.gate.adapt_passes, 3);
  EXPECT_NEAR(fit.macro_f1_gated, metrics_from_confusion([&] {
                Confusion c{};
                for (std::size_t i = 0; i < t.size(); ++i) ++c[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(truth[i])];
                return c;
              }()).f1_macro, 1e-12);  // three passes find every premature beat and nothing else
  EXPECT_THROW(fit_rhythm_step(pred, truth, record, t, p, kFs, {}, {.adapt_passes = 0}), InvalidArgument);
  EXPECT_THROW(fit_rhythm_step(pred, truth, record, t, p, kFs, {}, {.adapt_passes = kMaxAdaptPasses + 1}), InvalidArgument);
}

namespace {

// 17 records of 40 sinus intervals (360 samples), each with one early
// beat and its compensatory pause (so the record's mean RR stays 360 and
// the early beat's pre-RR ratio is exactly its RR over 360):
//   4 S beats at 0.62 (found by a prematurity ratio of 0.65 and up),
//   9 N beats at 0.67 (wrongly made S from 0.7 up),
//   4 S beats at 0.72 (found from 0.75 up);
// with `sinus_early`, an 18th record's N beat at 0.58 (wrongly made S by
// any ratio). The model called everything N. No window is irregular (the
// gate never acts) and no record holds 5 S decisions (the adaptation never
// acts). Each record is a fold.
struct PeakAndPlateau {
  std::vector<std::int64_t> t;
  std::vector<std::int32_t> pred, truth, record, fold;
  std::vector<float> p;
};
PeakAndPlateau peak_and_plateau(bool sinus_early = false) {
  PeakAndPlateau d;
  int rec = 0;
  const auto add = [&](int early, std::int32_t cls) {
    std::vector<int> rr(40, 360);
    rr[20] = early;
    rr[21] = 720 - early;
    const auto times = times_of(rr);
    for (std::size_t i = 0; i < times.size(); ++i) {
      d.t.push_back(times[i]);
      d.pred.push_back(N);
      d.truth.push_back(i == 21 ? cls : N);  // beat 21 ends interval 20
      d.record.push_back(rec);
      d.fold.push_back(rec);
    }
    ++rec;
  };
  for (int i = 0; i < 4; ++i) add(223, S);  // 0.619
  for (int i = 0; i < 9; ++i) add(241, N);  // 0.669
  for (int i = 0; i < 4; ++i) add(259, S);  // 0.719
  if (sinus_early) add(209, N);             // 0.581
  d.p.assign(d.t.size(), 0.9f);
  return d;
}

}  // namespace

TEST(RhythmStep, SmoothedChoicePrefersAPlateauToALonePeak) {
  // S's F1 over the prematurity ratio: 0 up to 0.6, a lone peak at 0.65 (4
  // found, none false: 0.67), 0.38 at 0.7, then a plateau slightly lower
  // than the peak from 0.75 to 0.85 (8 found, 9 false: 0.64).
  const auto [t, pred, truth, record, fold, p] = peak_and_plateau();
  const auto best = fit_rhythm_step(pred, truth, record, t, p, kFs, fold);
  const auto smoothed = fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.choice = StepChoice::smoothed});
  ASSERT_TRUE(best.gate.enabled);
  ASSERT_TRUE(smoothed.gate.enabled);
  EXPECT_EQ(best.gate.premature, 0.65);      // the lone peak
  EXPECT_EQ(smoothed.gate.premature, 0.8);   // the plateau's middle (0.85's neighbourhood ties it, the earlier wins)
  EXPECT_EQ(smoothed.gate.adapt_min_beats, 0);
  EXPECT_GT(best.macro_f1_gated, smoothed.macro_f1_gated);  // the peak is higher on these rows; the figure is the point's own
  // The figure reported is that of the point chosen: the plateau's decisions scored.
  auto decided = pred;
  for (std::size_t i = 0; i < decided.size(); ++i)
    if (truth[i] == S || (i % 41 == 21 && record[i] >= 4 && record[i] < 13)) decided[i] = S;
  EXPECT_EQ(step_decisions(pred, record, t, p, kFs, smoothed.gate), decided);
  EXPECT_NEAR(smoothed.macro_f1_gated, compute_metrics(truth, decided).f1_macro, 1e-12);
  // Nested like the best choice: one gate per fold, each chosen smoothed.
  ASSERT_EQ(smoothed.fold_gates.size(), 17u);
  for (const auto& g : smoothed.fold_gates) EXPECT_EQ(g.premature, 0.8);
  EXPECT_EQ(smoothed.nested_decisions, decided);
  EXPECT_EQ(smoothed.search.choice, StepChoice::smoothed);
  EXPECT_EQ(best.search.choice, StepChoice::best);
  EXPECT_EQ(to_json(smoothed)["step_choice"], "smoothed");
  EXPECT_EQ(to_json(best)["step_choice"], "best");
  EXPECT_EQ(step_choice_from_name("smoothed"), StepChoice::smoothed);
  EXPECT_EQ(step_choice_from_name("best"), StepChoice::best);
  EXPECT_THROW(step_choice_from_name("max"), InvalidArgument);
}

TEST(RhythmStep, SvebSensitivityCriterionUnderAFloor) {
  // The same records: SVEB Se / +P over the prematurity ratio: 0 / - up to
  // 0.6, 0.5 / 1 at 0.65, 0.5 / 0.31 at 0.7, 1 / 0.47 from 0.75 to 0.85.
  const auto d = peak_and_plateau();
  const auto fit = [&](const RhythmStepSearch& s) { return fit_rhythm_step(d.pred, d.truth, d.record, d.t, d.p, kFs, d.fold, s); };
  const auto f1 = fit({});
  EXPECT_EQ(f1.gate.premature, 0.65);  // the highest macro-F1
  // Floor 0.4: every S beat found; the three ratios tie on Se and on
  // macro-F1, and the earliest wins.
  const auto se40 = fit({.criterion = StepCriterion::sveb_se, .sveb_ppv_floor = 0.4});
  EXPECT_EQ(se40.gate.premature, 0.75);
  EXPECT_EQ(se40.gate.adapt_min_beats, 0);
  EXPECT_LT(se40.macro_f1_gated, f1.macro_f1_gated);  // the figure is the point's own
  Confusion c{};
  const auto decided = step_decisions(d.pred, d.record, d.t, d.p, kFs, se40.gate);
  for (std::size_t i = 0; i < decided.size(); ++i) ++c[static_cast<std::size_t>(d.truth[i])][static_cast<std::size_t>(decided[i])];
  EXPECT_EQ(metrics_from_confusion(c).per_class[S].sensitivity, 1.0);
  EXPECT_NEAR(metrics_from_confusion(c).per_class[S].ppv, 8.0 / 17.0, 1e-12);
  EXPECT_NEAR(se40.macro_f1_gated, metrics_from_confusion(c).f1_macro, 1e-12);
  // Nested: each fold's step chosen the same way on the others (leaving out
  // one N record still leaves +P 8 / 16; one S record, 7 / 16).
  ASSERT_EQ(se40.fold_gates.size(), 17u);
  for (const auto& g : se40.fold_gates) EXPECT_EQ(g.premature, 0.75);
  EXPECT_EQ(se40.nested_decisions, decided);
  // Floor 0.5: the plateau is below it; the peak is the highest Se above it.
  EXPECT_EQ(fit({.criterion = StepCriterion::sveb_se, .sveb_ppv_floor = 0.5}).gate.premature, 0.65);
  // A floor no point meets (one false S call at any ratio): macro-F1 decides.
  const auto e = peak_and_plateau(true);
  const auto none_meets = fit_rhythm_step(e.pred, e.truth, e.record, e.t, e.p, kFs, e.fold,
                                          {.criterion = StepCriterion::sveb_se, .sveb_ppv_floor = 1.0});
  EXPECT_EQ(none_meets.gate, fit_rhythm_step(e.pred, e.truth, e.record, e.t, e.p, kFs, e.fold).gate);
  // Recorded in the fit's JSON; bad floors and names refused.
  EXPECT_EQ(to_json(se40)["step_criterion"], "sveb_se");
  EXPECT_EQ(to_json(se40)["step_sveb_ppv_floor"], 0.4);
  EXPECT_EQ(to_json(f1)["step_criterion"], "macro_f1");
  EXPECT_FALSE(to_json(f1).contains("step_sveb_ppv_floor"));
  EXPECT_THROW(fit({.criterion = StepCriterion::sveb_se, .sveb_ppv_floor = 1.5}), InvalidArgument);
  EXPECT_THROW(fit({.criterion = StepCriterion::sveb_se, .sveb_ppv_floor = std::nan("")}), InvalidArgument);
  EXPECT_EQ(step_criterion_from_name("sveb_se"), StepCriterion::sveb_se);
  EXPECT_THROW(step_criterion_from_name("sveb_ppv"), InvalidArgument);
}

TEST(RhythmStep, IrregularityBetweenNCallsOnly) {
  // Sinus at 360 samples with an atrial premature beat (250, then a 470
  // pause) every 5th beat, which the model called S: counting every
  // interval between non-V calls, the window is as irregular as AF (the
  // gate would take the S calls back); counting only intervals between two
  // N calls, it is perfectly regular.
  std::vector<int> rr;
  for (int i = 0; i < 80; ++i) rr.push_back(i % 5 == 1 ? 250 : i % 5 == 2 ? 470 : 360);
  const auto t = times_of(rr);
  std::vector<std::int32_t> pred(t.size(), N);
  for (std::size_t i = 2; i < t.size(); i += 5) pred[i] = S;  // beat i ends the short interval i - 1
  const std::vector<float> p(t.size(), 0.9f);
  const auto any = rhythm_stats(t, pred, p, kFs, 16, 8);
  const auto n_only = rhythm_stats(t, pred, p, kFs, 16, 8, true);
  EXPECT_GT(any.irregularity[40], 0.25);
  EXPECT_EQ(n_only.irregularity[40], 0.0);
  EXPECT_EQ(n_only.pre_ratio, any.pre_ratio);  // only the irregularity changes
  RhythmStep g;
  g.enabled = true;
  g.irregularity = 0.1;
  g.p_wave = 2.0;  // any P wave: irregularity alone decides
  const std::vector<std::int32_t> record(t.size(), 7);
  const auto kept = [&](bool n) {
    g.irregularity_n_only = n;
    const auto d = step_decisions(pred, record, t, p, kFs, g);
    return std::count(d.begin(), d.end(), S);
  };
  EXPECT_EQ(kept(false), 0);
  EXPECT_EQ(kept(true), std::count(pred.begin(), pred.end(), S));
  // Where S calls break up the runs of N calls, too few differences remain:
  // no verdict (NaN), so no gate.
  auto dense = pred;
  for (std::size_t i = 0; i < dense.size(); i += 2) dense[i] = S;
  const auto broken = rhythm_stats(t, dense, p, kFs, 16, 8, true);
  EXPECT_TRUE(std::isnan(broken.irregularity[40]));
  // decision.json: gate_intervals, absent = not_v (files from before the option); other values refused.
  g.irregularity_n_only = true;
  const nlohmann::json j = to_json(g);
  EXPECT_EQ(j["gate_intervals"], "n_only");
  EXPECT_EQ(rhythm_step_from_json(nlohmann::json{{"rhythm_step", j}}), g);
  nlohmann::json old = j;
  old.erase("gate_intervals");
  EXPECT_FALSE(rhythm_step_from_json(nlohmann::json{{"rhythm_step", old}}).irregularity_n_only);
  for (const nlohmann::json& bad : {nlohmann::json("n"), nlohmann::json(true), nlohmann::json(1)}) {
    old["gate_intervals"] = bad;
    EXPECT_THROW(rhythm_step_from_json(nlohmann::json{{"rhythm_step", old}}), FormatError) << bad;
  }
  // The fit measures every point's irregularity the way it is told.
  std::vector<std::int32_t> truth(t.size(), N), fold(t.size());
  for (std::size_t i = 2; i < t.size(); i += 5) truth[i] = S;
  for (std::size_t i = 0; i < t.size(); ++i) fold[i] = static_cast<std::int32_t>(i * 2 / t.size());
  const auto fit = fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.irregularity_n_only = true});
  EXPECT_EQ(fit.search.irregularity_n_only, true);
  EXPECT_TRUE(fit.gate.irregularity_n_only);  // even where no step is chosen, as the file says
  ASSERT_EQ(fit.fold_gates.size(), 2u);
  for (const auto& fg : fit.fold_gates) EXPECT_TRUE(fg.irregularity_n_only);
}

TEST(RhythmStep, GateWindowIsFixedForEveryPointTried) {
  // A run of 20 irregular intervals in sinus rhythm: with 16 beats either
  // side the windows at the run's middle are irregular; with 64, the run is
  // a small part of every window and none is.
  std::vector<int> rr(200, 360);
  for (int i = 100; i < 120; ++i) rr[static_cast<std::size_t>(i)] = i % 2 ? 230 : 300;
  const auto t = times_of(rr);
  const std::vector<std::int32_t> pred(t.size(), N);
  const std::vector<float> p(t.size(), 0.9f);
  EXPECT_GT(rhythm_stats(t, pred, p, kFs, 16, 8).irregularity[110], 0.1);
  EXPECT_LT(rhythm_stats(t, pred, p, kFs, 64, 8).irregularity[110], 0.01);
  // The fit uses the window it is given for every grid point, kept in the
  // gate it chooses and in every fold's; out of range refused.
  std::vector<std::int32_t> truth(t.size(), N), record(t.size(), 3), fold(t.size());
  for (std::size_t i = 101; i <= 120; ++i) truth[i] = S;
  for (std::size_t i = 0; i < t.size(); ++i) fold[i] = static_cast<std::int32_t>(i * 2 / t.size());
  const auto fit = fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.half_window = 64});
  EXPECT_EQ(fit.search.half_window, 64);
  EXPECT_EQ(fit.gate.half_window, 64);
  ASSERT_EQ(fit.fold_gates.size(), 2u);
  for (const auto& g : fit.fold_gates) EXPECT_EQ(g.half_window, 64);
  EXPECT_EQ(fit_rhythm_step(pred, truth, record, t, p, kFs, fold).gate.half_window, 16);
  EXPECT_THROW(fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.half_window = 0}), InvalidArgument);
  EXPECT_THROW(fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.half_window = kMaxHalfWindow + 1}), InvalidArgument);
  // The decisions made with a gate follow its window: an S call inside the
  // run is taken back with 16 beats either side, kept with 64.
  RhythmStep g;
  g.enabled = true;
  g.irregularity = 0.1;
  g.p_wave = 2.0;
  auto s_call = pred;
  s_call[110] = S;
  EXPECT_EQ(step_decisions(s_call, record, t, p, kFs, g)[110], N);
  g.half_window = 64;
  EXPECT_EQ(step_decisions(s_call, record, t, p, kFs, g)[110], S);
}

namespace {

// P regions (beats x kPRegionLength): each beat's region is `wave` (a bump
// at a fixed place) times `amp` plus a ramp (which the coherence removes)
// plus noise of standard deviation `noise`, all seeded.
std::vector<float> p_regions_of(std::size_t n, double amp, double noise, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> d(0, 1);
  std::vector<float> out(n * kPRegionLength);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < kPRegionLength; ++j) {
      const double x = static_cast<double>(j) - 25;
      out[i * kPRegionLength + j] = static_cast<float>(amp * std::exp(-x * x / 40) + 0.01 * static_cast<double>(j) * static_cast<double>(i % 7) + noise * d(rng));
    }
  return out;
}

}  // namespace

TEST(RhythmStep, PWaveCoherenceByHand) {
  // Two beats, window one beat either side: the coherence is the energy of
  // the average of the detrended regions over their mean energy.
  const std::vector<std::int64_t> t{100, 400};
  const std::vector<std::int32_t> pred{N, N};
  const std::vector<float> p{0.5f, 0.5f};
  std::vector<float> regions(2 * kPRegionLength);
  for (std::size_t j = 0; j < kPRegionLength; ++j) {
    regions[j] = static_cast<float>(std::sin(0.3 * static_cast<double>(j)) + 2.0 + 0.5 * static_cast<double>(j));  // offset and ramp removed
    regions[kPRegionLength + j] = static_cast<float>(std::cos(0.7 * static_cast<double>(j)));
  }
  const auto detrend = [&](std::size_t b) {
    const double L = static_cast<double>(kPRegionLength), tc = (L - 1) / 2;
    double mean = 0, slope = 0, tt = 0;
    for (std::size_t j = 0; j < kPRegionLength; ++j) {
      const double tj = static_cast<double>(j) - tc;
      mean += regions[b * kPRegionLength + j];
      slope += tj * regions[b * kPRegionLength + j];
      tt += tj * tj;
    }
    std::vector<double> x(kPRegionLength);
    for (std::size_t j = 0; j < kPRegionLength; ++j)
      x[j] = regions[b * kPRegionLength + j] - mean / L - slope / tt * (static_cast<double>(j) - tc);
    return x;
  };
  const auto a = detrend(0), b = detrend(1);
  double avg = 0, ea = 0, eb = 0;
  for (std::size_t j = 0; j < kPRegionLength; ++j) {
    avg += std::pow((a[j] + b[j]) / 2, 2);
    ea += a[j] * a[j];
    eb += b[j] * b[j];
  }
  const auto s = rhythm_stats(t, pred, p, kFs, 1, 2, false, regions);
  ASSERT_EQ(s.p_coherence.size(), 2u);
  EXPECT_NEAR(s.p_coherence[0], avg / ((ea + eb) / 2), 1e-6);
  EXPECT_NEAR(s.p_coherence[1], s.p_coherence[0], 1e-12);
  // A beat called V is left out: one beat remains, below the minimum of 2.
  EXPECT_TRUE(std::isnan(rhythm_stats(t, std::vector<std::int32_t>{N, V}, p, kFs, 1, 2, false, regions).p_coherence[0]));
  // So is a beat whose region is not finite; flat regions give no verdict.
  auto bad = regions;
  bad[kPRegionLength + 3] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(rhythm_stats(t, pred, p, kFs, 1, 2, false, bad).p_coherence[0]));
  const std::vector<float> ramps(2 * kPRegionLength, 1.0f);
  EXPECT_TRUE(std::isnan(rhythm_stats(t, pred, p, kFs, 1, 2, false, ramps).p_coherence[0]));
  // Without regions it is not measured; regions of the wrong size are refused.
  EXPECT_TRUE(std::isnan(rhythm_stats(t, pred, p, kFs, 1, 2).p_coherence[0]));
  EXPECT_THROW(rhythm_stats(t, pred, p, kFs, 1, 2, false, std::span<const float>(regions).first(kPRegionLength)), InvalidArgument);
}

TEST(RhythmStep, CoherenceSeparatesAtrialWavesFromNone) {
  // 80 beats with one P wave at a fixed place and light noise: near 1.
  // The same with noise only (AF's f waves, unrelated to the QRS): near
  // 1 / (beats in the window). Beats called V do not count, so a coherent
  // window keeps its coherence with incoherent V beats among its beats.
  const std::size_t n = 80;
  const auto t = times_of(std::vector<int>(n - 1, 300));
  std::vector<std::int32_t> pred(n, N);
  const std::vector<float> p(n, 0.5f);
  const auto sinus = p_regions_of(n, 1.0, 0.05, 1), af = p_regions_of(n, 0.0, 0.05, 2);
  const auto cs = rhythm_stats(t, pred, p, kFs, 16, 8, false, sinus), ca = rhythm_stats(t, pred, p, kFs, 16, 8, false, af);
  EXPECT_GT(cs.p_coherence[40], 0.95);
  EXPECT_LT(ca.p_coherence[40], 0.1);
  auto mixed = sinus;
  for (std::size_t i = 0; i < n; i += 3) {
    pred[i] = V;
    std::copy_n(af.begin() + static_cast<std::ptrdiff_t>(i * kPRegionLength), kPRegionLength,
                mixed.begin() + static_cast<std::ptrdiff_t>(i * kPRegionLength));
  }
  EXPECT_GT(rhythm_stats(t, pred, p, kFs, 16, 8, false, mixed).p_coherence[40], 0.95);
}

TEST(RhythmStep, CoherenceGate) {
  // An irregular record: with the median tpl_corr_p (any) its S calls are
  // taken back; measured by coherence they are kept where the beats share a
  // P wave and taken back where they do not.
  const std::size_t n = 120;
  const auto t = times_of(irregular_rr(n - 1, 5));
  std::vector<std::int32_t> pred(n, N), record(n, 7);
  for (std::size_t i = 0; i < n; i += 4) pred[i] = S;
  const std::vector<float> p(n, 0.5f);
  const auto sinus = p_regions_of(n, 1.0, 0.05, 3), af = p_regions_of(n, 0.0, 0.05, 4);
  RhythmStep g;
  g.enabled = true;
  g.half_window = 16;
  g.irregularity = 0.06;
  g.p_wave = 2.0;
  EXPECT_EQ(step_decisions(pred, record, t, p, kFs, g, sinus)[60], N);  // tpl_corr_p: regions ignored
  g.p_measure = PMeasure::coherence;
  g.p_wave = 0.3;
  EXPECT_EQ(step_decisions(pred, record, t, p, kFs, g, sinus)[60], S);
  EXPECT_EQ(step_decisions(pred, record, t, p, kFs, g, af)[60], N);
  EXPECT_EQ(gate_verdicts(pred, record, t, p, kFs, g, af), std::vector<std::uint8_t>(n, 1));
  EXPECT_EQ(gate_verdicts(pred, record, t, p, kFs, g, sinus), std::vector<std::uint8_t>(n, 0));
  EXPECT_THROW(step_decisions(pred, record, t, p, kFs, g), InvalidArgument);  // coherence needs the regions
  EXPECT_THROW(gate_verdicts(pred, record, t, p, kFs, g), InvalidArgument);
  // The fit keeps the measure in every gate it tries and uses its own grid.
  std::vector<std::int32_t> truth(n, N), fold(n);
  for (std::size_t i = 0; i < n; ++i) fold[i] = static_cast<std::int32_t>(i * 2 / n);
  const auto fit = fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.p_measure = PMeasure::coherence}, af);
  EXPECT_EQ(fit.gate.p_measure, PMeasure::coherence);
  EXPECT_TRUE(fit.gate.enabled);
  EXPECT_LE(fit.gate.p_wave, 0.5);  // the strictest threshold that takes every S call back (ties: stricter)
  for (const auto& fg : fit.fold_gates) EXPECT_EQ(fg.p_measure, PMeasure::coherence);
  EXPECT_THROW(fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.p_measure = PMeasure::coherence}), InvalidArgument);
  // decision.json: written, read back; absent means tpl_corr_p; other values refused.
  EXPECT_EQ(rhythm_step_from_json({{"rhythm_step", to_json(g)}}), g);
  auto j = to_json(g);
  EXPECT_EQ(j["p_measure"], "coherence");
  j.erase("p_measure");
  EXPECT_EQ(rhythm_step_from_json({{"rhythm_step", j}}).p_measure, PMeasure::tpl_corr_p);
  j["p_measure"] = "median";
  EXPECT_THROW(rhythm_step_from_json({{"rhythm_step", j}}), FormatError);
  EXPECT_EQ(p_measure_from_name("coherence"), PMeasure::coherence);
  EXPECT_THROW(p_measure_from_name("p"), InvalidArgument);
}

TEST(RhythmStep, PRegionsFromWindowsAndRows) {
  // Two windows of 100 samples, R at 95: the region is samples 5..64.
  std::vector<float> w(200);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i);
  const auto r = p_regions_from_windows(w, 100, 95);
  ASSERT_EQ(r.size(), 2 * kPRegionLength);
  EXPECT_EQ(r[0], 5.0f);
  EXPECT_EQ(r[kPRegionLength - 1], 64.0f);
  EXPECT_EQ(r[kPRegionLength], 105.0f);
  EXPECT_THROW(p_regions_from_windows(w, 100, 80), InvalidArgument);   // starts before the window
  EXPECT_THROW(p_regions_from_windows(w, 100, 140), InvalidArgument);  // ends after it
  EXPECT_THROW(p_regions_from_windows(std::span<const float>(w).first(150), 100, 95), InvalidArgument);
}

TEST(RhythmStep, GateFittedToTheAnnotatedRhythm) {
  // Three irregular records of 150 beats. A: AF (annotated), no P wave
  // (tpl_corr_p 0.05), every fourth beat falsely called S. B: not AF, P
  // waves (0.97), every fourth beat a true S call. C: not AF, P waves (0.9),
  // every fourth beat falsely called S. For the pooled macro-F1 the best
  // gate takes back C's false S calls too (P-wave threshold 0.95);
  // fitted to the rhythm, the gate is the first pair that gates all of A
  // and nothing else, and C's calls stay.
  const std::size_t n = 150;
  std::vector<std::int64_t> t;
  std::vector<std::int32_t> pred, truth, record, rhythm, fold;
  std::vector<float> p;
  for (int rec = 0; rec < 3; ++rec) {
    const auto rt = times_of(irregular_rr(n - 1, 20 + static_cast<unsigned>(rec)));
    for (std::size_t i = 0; i < n; ++i) {
      t.push_back(rt[i]);
      const bool marked = i % 4 == 0;
      pred.push_back(marked ? S : N);
      truth.push_back(rec == 1 && marked ? S : N);
      record.push_back(rec);
      rhythm.push_back(rec == 0 ? 1 : 0);
      fold.push_back(rec);
      p.push_back(rec == 0 ? 0.05f : rec == 1 ? 0.97f : 0.9f);
    }
  }
  const auto by_f1 = fit_rhythm_step(pred, truth, record, t, p, kFs, fold);
  const auto f1_verdict = gate_verdicts(pred, record, t, p, kFs, by_f1.gate);
  for (std::size_t i = 0; i < 3 * n; ++i) EXPECT_EQ(f1_verdict[i], record[i] == 1 ? 0 : 1) << i;  // A and C gated, B not
  const auto by_rhythm = fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.gate_fit = GateFit::rhythm}, {}, rhythm);
  ASSERT_TRUE(by_rhythm.gate.enabled);
  EXPECT_EQ(by_rhythm.gate.irregularity, 0.06);
  EXPECT_EQ(by_rhythm.gate.p_wave, 0.1);  // the first P-wave threshold above A's 0.05
  EXPECT_DOUBLE_EQ(by_rhythm.af_balanced_accuracy, 1.0);
  const auto verdict = gate_verdicts(pred, record, t, p, kFs, by_rhythm.gate);
  EXPECT_EQ(std::vector<std::uint8_t>(verdict.begin(), verdict.begin() + n), std::vector<std::uint8_t>(n, 1));
  EXPECT_EQ(std::count(verdict.begin(), verdict.end(), 1), static_cast<std::ptrdiff_t>(n));
  const auto decided = step_decisions(pred, record, t, p, kFs, by_rhythm.gate);
  for (std::size_t i = 0; i < 3 * n; ++i) EXPECT_EQ(decided[i], record[i] == 0 ? N : pred[i]) << i;
  EXPECT_LT(by_rhythm.macro_f1_gated, by_f1.macro_f1_gated);  // what the fit to the rhythm gives up on these rows
  // Nested: each fold's pair fitted without it. Without A there is no AF
  // to detect: the pair fitted (the first, which gates nothing) changes no
  // decision of B's or C's, and no step at all wins the tie.
  ASSERT_EQ(by_rhythm.fold_gates.size(), 3u);
  EXPECT_FALSE(by_rhythm.fold_gates[0].enabled);
  for (std::size_t f = 1; f < 3; ++f) {
    EXPECT_TRUE(by_rhythm.fold_gates[f].enabled) << f;
    EXPECT_EQ(by_rhythm.fold_gates[f].irregularity, 0.06) << f;
    EXPECT_EQ(by_rhythm.fold_gates[f].p_wave, 0.1) << f;
  }
  // Reported in decision.json.
  const auto j = to_json(by_rhythm);
  EXPECT_EQ(j["gate_fit"], "rhythm");
  EXPECT_DOUBLE_EQ(j["af_balanced_accuracy"].get<double>(), 1.0);
  EXPECT_EQ(to_json(by_f1)["gate_fit"], "macro_f1");
  EXPECT_FALSE(to_json(by_f1).contains("af_balanced_accuracy"));
  // Refused: no annotation per row, none annotated, the smoothed choice.
  EXPECT_THROW(fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.gate_fit = GateFit::rhythm}), InvalidArgument);
  EXPECT_THROW(fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.gate_fit = GateFit::rhythm}, {},
                               std::vector<std::int32_t>(t.size(), -1)),
               InvalidArgument);
  EXPECT_THROW(fit_rhythm_step(pred, truth, record, t, p, kFs, fold, {.choice = StepChoice::smoothed, .gate_fit = GateFit::rhythm}, {}, rhythm),
               InvalidArgument);
  EXPECT_EQ(gate_fit_from_name("rhythm"), GateFit::rhythm);
  EXPECT_THROW(gate_fit_from_name("af"), InvalidArgument);
}
