#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/eval/metrics.hpp"

using namespace heartwave;

TEST(Metrics, HandComputedExample) {
  // truth:     N N N N S S V V F Q
  // predicted: N N N S S N V V N Q
  const std::vector<std::int32_t> t = {0, 0, 0, 0, 1, 1, 2, 2, 3, 4};
  const std::vector<std::int32_t> p = {0, 0, 0, 1, 1, 0, 2, 2, 0, 4};
  const Metrics m = compute_metrics(t, p);
  EXPECT_EQ(m.n, 10u);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.7);
  EXPECT_EQ(m.confusion[0][0], 3u);
  EXPECT_EQ(m.confusion[0][1], 1u);
  EXPECT_EQ(m.confusion[1][0], 1u);
  EXPECT_EQ(m.confusion[3][0], 1u);
  const auto& n = m.per_class[0];  // TP 3, FN 1, FP 2, TN 4
  EXPECT_DOUBLE_EQ(n.sensitivity, 0.75);
  EXPECT_DOUBLE_EQ(n.ppv, 0.6);
  EXPECT_DOUBLE_EQ(n.specificity, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(n.fpr, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(n.f1, 2 * 0.75 * 0.6 / 1.35);
  const auto& f = m.per_class[3];  // never predicted
  EXPECT_DOUBLE_EQ(f.sensitivity, 0.0);
  EXPECT_DOUBLE_EQ(f.ppv, 0.0);
  EXPECT_DOUBLE_EQ(f.f1, 0.0);
  // Macro over the 5 present classes (scikit-learn: zero_division=0).
  const double f1s[] = {2 * 0.75 * 0.6 / 1.35, 0.5, 1.0, 0.0, 1.0};
  double macro = 0, weighted = 0;
  const double support[] = {4, 2, 2, 1, 1};
  for (int c = 0; c < 5; ++c) {
    macro += f1s[c] / 5;
    weighted += f1s[c] * support[c] / 10;
  }
  EXPECT_NEAR(m.f1_macro, macro, 1e-12);
  EXPECT_NEAR(m.f1_weighted, weighted, 1e-12);
  EXPECT_NEAR(m.recall_weighted, m.accuracy, 1e-12);  // always true for weighted recall
  const auto j = to_json(m);
  EXPECT_EQ(j["per_class"]["V"]["se"].get<double>(), 1.0);
  EXPECT_EQ(j["confusion_matrix"][0][1].get<int>(), 1);
}

TEST(Metrics, AbsentClassesAreLeftOutOfTheMacroAverage) {
  const std::vector<std::int32_t> t = {0, 0, 2}, p = {0, 0, 2};
  const Metrics m = compute_metrics(t, p);
  EXPECT_DOUBLE_EQ(m.f1_macro, 1.0);
  EXPECT_DOUBLE_EQ(m.precision_macro, 1.0);
}

TEST(Metrics, ArgmaxAndErrors) {
  const std::vector<float> proba = {0.1f, 0.7f, 0.1f, 0.05f, 0.05f, 0.9f, 0, 0, 0, 0.1f};
  EXPECT_EQ(argmax_rows(proba), (std::vector<std::int32_t>{1, 0}));
  EXPECT_THROW(argmax_rows(std::vector<float>(7)), InvalidArgument);
  const std::vector<std::int32_t> a = {0, 1}, b = {0}, bad = {0, 7};
  EXPECT_THROW(compute_metrics(a, b), InvalidArgument);
  EXPECT_THROW(compute_metrics(a, bad), InvalidArgument);
}

TEST(Metrics, BootstrapOverRecords) {
  // 10 records; record r has 100 N beats and r S beats, S detected in even records only.
  std::vector<std::int32_t> t, p, rec;
  for (int r = 0; r < 10; ++r)
    for (int i = 0; i < 100 + r; ++i) {
      const bool s = i >= 100;
      t.push_back(s ? 1 : 0);
      p.push_back(s && r % 2 == 0 ? 1 : 0);
      rec.push_back(r);
    }
  const auto j = bootstrap_by_record(t, p, rec, 500, 1);
  const double se = compute_metrics(t, p).per_class[1].sensitivity;  // 20/45
  const auto ci = j["per_class"]["S"]["se"];
  EXPECT_LE(ci[0].get<double>(), se);
  EXPECT_GE(ci[1].get<double>(), se);
  EXPECT_LT(ci[0].get<double>(), ci[1].get<double>());  // records disagree: a real interval
  EXPECT_DOUBLE_EQ(j["per_class"]["N"]["se"][0].get<double>(), 1.0);  // N always right: no spread
  EXPECT_EQ(j["records"], 10);
  EXPECT_EQ(bootstrap_by_record(t, p, rec, 500, 1), j);  // seeded
  EXPECT_THROW(bootstrap_by_record(t, p, std::vector<std::int32_t>{1}, 500, 1), InvalidArgument);
}

// EC57's VEB and SVEB statistics, as PhysioNet's bxb counts them: a fusion
// or Q beat called V is not a false VEB, a Q beat called S not a false SVEB.
TEST(Metrics, Ec57CountsAsBxb) {
  // [truth][pred], classes N S V F Q; every cell distinct so that a term
  // counted in the wrong sum shows.
  const Confusion c = {{{{1000, 11, 7, 3, 1}},
                        {{13, 200, 5, 2, 1}},
                        {{17, 4, 300, 19, 2}},
                        {{23, 3, 29, 40, 1}},
                        {{2, 6, 31, 1, 5}}}};
  const Metrics m = metrics_from_confusion(c);
  const Ec57Figures& e = m.ec57;
  EXPECT_EQ(e.veb_tp, 300u);
  EXPECT_EQ(e.veb_fn, 17u + 4 + 19 + 2);
  EXPECT_EQ(e.veb_fp, 7u + 5);  // Nv + Sv; Fv (29) and Qv (31) are not counted
  EXPECT_EQ(e.veb_tn, (1000u + 11 + 3 + 1) + (13 + 200 + 2 + 1) + (23 + 3 + 40 + 1) + (2 + 6 + 1 + 5));
  EXPECT_EQ(e.sveb_tp, 200u);
  EXPECT_EQ(e.sveb_fn, 13u + 5 + 2 + 1);
  EXPECT_EQ(e.sveb_fp, 11u + 4 + 3);  // Ns + Vs + Fs; Qs (6) is not counted
  EXPECT_DOUBLE_EQ(e.veb_ppv, 300.0 / 312.0);
  EXPECT_DOUBLE_EQ(e.veb_fpr, 12.0 / (12.0 + static_cast<double>(e.veb_tn)));
  EXPECT_DOUBLE_EQ(e.sveb_ppv, 200.0 / 218.0);
  // The sensitivities are the per-class ones; the +P are higher than the
  // per-class +P, which count every wrong call.
  EXPECT_DOUBLE_EQ(e.veb_se, m.per_class[2].sensitivity);
  EXPECT_DOUBLE_EQ(e.sveb_se, m.per_class[1].sensitivity);
  EXPECT_DOUBLE_EQ(m.per_class[2].ppv, 300.0 / (300.0 + 7 + 5 + 29 + 31));
  EXPECT_GT(e.veb_ppv, m.per_class[2].ppv);
  EXPECT_EQ(ec57_figures(c).veb_fp, e.veb_fp);
  const nlohmann::json j = to_json(m);
  EXPECT_DOUBLE_EQ(j["ec57"]["veb"]["ppv"].get<double>(), e.veb_ppv);
  EXPECT_EQ(j["ec57"]["sveb"]["fp"].get<std::size_t>(), 18u);
  // Without F or Q calls into V or S, the two conventions agree.
  Confusion plain = c;
  plain[3][2] = plain[4][2] = plain[4][1] = 0;
  const Metrics p = metrics_from_confusion(plain);
  EXPECT_DOUBLE_EQ(p.ec57.veb_ppv, p.per_class[2].ppv);
  EXPECT_DOUBLE_EQ(p.ec57.sveb_ppv, p.per_class[1].ppv);
}

TEST(Metrics, BootstrapIntervalsOfEc57) {
  // Two kinds of records: V beats called V, and fusion beats called V (no
  // false VEB under EC57, so its +P is 1 in every draw).
  std::vector<std::int32_t> t, p, rec;
  for (int r = 0; r < 8; ++r)
    for (int i = 0; i < 20; ++i) {
      t.push_back(r % 2 ? 3 : 2);
      p.push_back(2);
      rec.push_back(r);
    }
  const auto j = bootstrap_by_record(t, p, rec, 200, 3);
  EXPECT_DOUBLE_EQ(j["ec57"]["veb_ppv"][0].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["ec57"]["veb_ppv"][1].get<double>(), 1.0);
  EXPECT_LT(j["per_class"]["V"]["ppv"][0].get<double>(), 1.0);  // every wrong call counted
}

TEST(Metrics, Ec57FromASampleLeavesTheLearningPeriodOut) {
  // truth V V N N F, all called V; the first two beats fall in the learning
  // period, the last has no time (-1).
  const std::vector<std::int32_t> t = {2, 2, 0, 0, 3, 0};
  const std::vector<std::int32_t> p = {2, 0, 2, 0, 2, 2};
  const std::vector<std::int64_t> at = {10, 20, 100, 200, 300, -1};
  const Ec57Figures all = ec57_from(t, p, at, 0);  // every timed beat
  EXPECT_EQ(all.beats, 5u);
  EXPECT_EQ(all.veb_tp, 1u);
  EXPECT_EQ(all.veb_fn, 1u);
  EXPECT_EQ(all.veb_fp, 1u);  // the N at 100; the F at 300 is not a false VEB
  const Ec57Figures late = ec57_from(t, p, at, 100);
  EXPECT_EQ(late.beats, 3u);
  EXPECT_EQ(late.veb_tp, 0u);
  EXPECT_EQ(late.veb_fp, 1u);
  EXPECT_DOUBLE_EQ(late.veb_ppv, 0.0);
  EXPECT_EQ(to_json(late)["beats"], 3);
  EXPECT_THROW(ec57_from(t, p, std::vector<std::int64_t>{1, 2}, 0), InvalidArgument);
  EXPECT_THROW(ec57_from(t, std::vector<std::int32_t>{2}, at, 0), InvalidArgument);
  EXPECT_THROW(ec57_from(t, std::vector<std::int32_t>{2, 2, 2, 2, 9, 2}, at, 0), InvalidArgument);
}
