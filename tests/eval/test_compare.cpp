#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "heartwave/eval/compare.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/eval/metrics.hpp"

using namespace heartwave;

namespace {

std::string csv_of(const std::vector<std::string>& rows) {
  std::string s = "record,r_sample,label,predicted,p_N,p_S,p_V,p_F,p_Q\n";
  for (const auto& r : rows) s += r + ",0.2,0.2,0.2,0.2,0.2\n";
  return s;
}

std::string error_of(const std::string& text) {
  try {
    parse_predictions_csv(text, "p.csv");
  } catch (const ParseError& e) {
    return e.what();
  }
  return "(no error)";
}

// Rows of three records: `wrong` lists, per record, how many of its beats
// (S beats in record "a", V beats in "b", N beats in "c") are misclassified.
PredictionRows rows_with(int wrong_a, int wrong_b, int wrong_c) {
  PredictionRows p;
  auto add = [&](const std::string& rec, int n, std::int32_t truth, std::int32_t wrong_as, int wrong) {
    for (int i = 0; i < n; ++i) {
      p.record.push_back(rec);
      p.r_sample.push_back(100 * (i + 1));
      p.truth.push_back(truth);
      p.predicted.push_back(i < wrong ? wrong_as : truth);
    }
  };
  add("a", 10, 1, 0, wrong_a);  // S beats, missed as N
  add("b", 10, 2, 0, wrong_b);  // V beats, missed as N
  add("c", 30, 0, 1, wrong_c);  // N beats, called S
  return p;
}

// The same rows, last first.
PredictionRows reversed_rows(const PredictionRows& p) {
  PredictionRows r;
  for (std::size_t i = p.size(); i-- > 0;) {
    r.record.push_back(p.record[i]);
    r.r_sample.push_back(p.r_sample[i]);
    r.truth.push_back(p.truth[i]);
    r.predicted.push_back(p.predicted[i]);
  }
  return r;
}

}  // namespace

TEST(SignTest, ExactBinomialTails) {
  // n = 10, 9 against 1: 2 * (C(10,0) + C(10,1)) / 2^10.
  EXPECT_NEAR(sign_test_p(9, 1), 2.0 * 11.0 / 1024.0, 1e-12);
  EXPECT_NEAR(sign_test_p(1, 9), 2.0 * 11.0 / 1024.0, 1e-12);
  EXPECT_NEAR(sign_test_p(0, 6), 2.0 / 64.0, 1e-12);
  EXPECT_NEAR(sign_test_p(7, 7), 1.0, 1e-12);  // capped at 1
  EXPECT_EQ(sign_test_p(0, 0), 1.0);
  // 22 records all one way: 2 / 2^22.
  EXPECT_NEAR(sign_test_p(22, 0), 2.0 / 4194304.0, 1e-15);
}

TEST(PredictionsCsv, ParsesCliOutputAndEmptyLabels) {
  const auto p = parse_predictions_csv(csv_of({"100,370,N,S", "100,662,V,V", "x1,900,,Q"}), "p.csv");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.record[2], "x1");
  EXPECT_EQ(p.r_sample[1], 662);
  EXPECT_EQ(p.truth[0], 0);
  EXPECT_EQ(p.predicted[0], 1);
  EXPECT_EQ(p.truth[1], 2);
  EXPECT_EQ(p.truth[2], -1);  // predict on unlabelled beats
  EXPECT_EQ(p.predicted[2], 4);
}

TEST(PredictionsCsv, FormattedRowsReadBack) {
  auto p = rows_with(3, 2, 1);
  p.truth[4] = -1;  // an unlabelled beat keeps an empty label
  const std::string csv = format_predictions_csv(p);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "record,r_sample,label,predicted");
  EXPECT_NE(csv.find("\na,500,,S\n"), std::string::npos) << csv;
  const auto back = parse_predictions_csv(csv, "f.csv");
  EXPECT_EQ(back.record, p.record);
  EXPECT_EQ(back.r_sample, p.r_sample);
  EXPECT_EQ(back.truth, p.truth);
  EXPECT_EQ(back.predicted, p.predicted);
}

TEST(PredictionsCsv, ErrorsNameLineAndField) {
  EXPECT_NE(error_of("a,b,c\n100,1,N,N\n").find("p.csv:1: expected the header"), std::string::npos);
  EXPECT_NE(error_of(csv_of({"100,370,N,N", "100,400,X,N"})).find("p.csv:3: label 'X' is not one of"), std::string::npos);
  EXPECT_NE(error_of(csv_of({"100,370,N,"})).find("p.csv:2: predicted '' is not one of"), std::string::npos);
  EXPECT_NE(error_of(csv_of({"100,3x0,N,N"})).find("p.csv:2"), std::string::npos);
  EXPECT_NE(error_of("record,r_sample,label,predicted\n100,370\n").find("expected at least 4 fields"), std::string::npos);
  EXPECT_NE(error_of("record,r_sample,label,predicted\n").find("no beats"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
}

TEST(Compare, IdenticalPredictionsDifferByNothing) {
  const auto p = rows_with(3, 2, 1);
  const auto j = compare_predictions(p, p, {200, 7});
  EXPECT_EQ(j["records"], 3);
  EXPECT_EQ(j["beats"], 50);
  for (const auto& [name, f] : j["figures"].items()) {
    EXPECT_EQ(f["difference"].get<double>(), 0.0) << name;
    EXPECT_EQ(f["ci95"][0].get<double>(), 0.0) << name;
    EXPECT_EQ(f["ci95"][1].get<double>(), 0.0) << name;
    EXPECT_EQ(f["share_better"].get<double>(), 0.5) << name;
  }
  EXPECT_EQ(j["sign_tests"]["errors"]["tied"], 3);
  EXPECT_EQ(j["sign_tests"]["errors"]["p"].get<double>(), 1.0);
}

TEST(Compare, CountsRecordsAndPooledFiguresAgreeWithMetrics) {
  const auto base = rows_with(6, 2, 4), cand = rows_with(2, 3, 4);
  const auto j = compare_predictions(base, cand, {500, 1});
  // Errors: a 6 -> 2 (better), b 2 -> 3 (worse), c 4 -> 4 (tied).
  EXPECT_EQ(j["sign_tests"]["errors"]["better"], 1);
  EXPECT_EQ(j["sign_tests"]["errors"]["worse"], 1);
  EXPECT_EQ(j["sign_tests"]["errors"]["tied"], 1);
  // S errors: a (missed S) better, c (false S) tied, b has none.
  EXPECT_EQ(j["sign_tests"]["s_errors"]["better"], 1);
  EXPECT_EQ(j["sign_tests"]["s_errors"]["worse"], 0);
  EXPECT_EQ(j["sign_tests"]["v_errors"]["worse"], 1);
  EXPECT_EQ(j["per_record"][0]["record"], "a");
  EXPECT_EQ(j["per_record"][0]["s_errors"], nlohmann::json({6, 2}));
  EXPECT_EQ(j["per_record"][2]["beats"], 30);
  const Metrics mb = compute_metrics(base.truth, base.predicted), mc = compute_metrics(cand.truth, cand.predicted);
  const auto& f = j["figures"];
  EXPECT_DOUBLE_EQ(f["accuracy"]["baseline"].get<double>(), mb.accuracy);
  EXPECT_DOUBLE_EQ(f["accuracy"]["candidate"].get<double>(), mc.accuracy);
  EXPECT_DOUBLE_EQ(f["f1_macro"]["difference"].get<double>(), mc.f1_macro - mb.f1_macro);
  EXPECT_DOUBLE_EQ(f["sveb_se"]["candidate"].get<double>(), 0.8);  // 8 of 10 S found
  EXPECT_NEAR(f["veb_se"]["difference"].get<double>(), -0.1, 1e-12);
  const double nsv = (mc.per_class[0].f1 + mc.per_class[1].f1 + mc.per_class[2].f1) / 3;
  EXPECT_DOUBLE_EQ(f["f1_nsv"]["candidate"].get<double>(), nsv);
  // S sensitivity rises in every draw that holds record a, and never falls.
  EXPECT_GT(f["sveb_se"]["share_better"].get<double>(), 0.6);
  EXPECT_GE(f["sveb_se"]["ci95"][0].get<double>(), 0.0);
  EXPECT_LE(f["sveb_se"]["ci95"][0].get<double>(), f["sveb_se"]["ci95"][1].get<double>());
  // Same seed, same intervals.
  EXPECT_EQ(compare_predictions(base, cand, {500, 1}), j);
}

TEST(Compare, MatchesBeatsInAnyOrder) {
  const auto base = rows_with(6, 2, 4), cand = rows_with(2, 3, 4);
  const PredictionRows reversed = reversed_rows(cand);
  EXPECT_EQ(compare_predictions(base, reversed, {300, 3}), compare_predictions(base, cand, {300, 3}));
}

TEST(Compare, RefusesRowsThatDiffer) {
  const auto base = rows_with(1, 1, 1);
  auto other = base;
  other.r_sample[12] += 1;
  EXPECT_THROW(compare_predictions(base, other), InvalidArgument);
  try {
    compare_predictions(base, other);
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("row 13 (record b, r_sample 300) is not in the candidate"), std::string::npos) << e.what();
  }
  other = base;
  other.r_sample[1] = other.r_sample[0];  // listed twice
  EXPECT_THROW(compare_predictions(base, other), InvalidArgument);
  EXPECT_THROW(compare_predictions(other, base), InvalidArgument);
  other = base;
  other.truth[0] = 0;
  EXPECT_THROW(compare_predictions(base, other), InvalidArgument);
  other = base;
  other.truth[0] = -1;
  EXPECT_THROW(compare_predictions(other, other), InvalidArgument);
  other = base;
  other.record.pop_back();
  other.r_sample.pop_back();
  other.truth.pop_back();
  other.predicted.pop_back();
  EXPECT_THROW(compare_predictions(base, other), InvalidArgument);
  EXPECT_THROW(compare_predictions(base, base, {10, 1}), InvalidArgument);
}

TEST(Select, ACandidateBetterEverywhereIsChosenEverywhere) {
  const auto worse = rows_with(2, 2, 2), better = rows_with(1, 1, 1);
  PredictionRows nested;
  const auto j = select_nested({worse, better}, {"w", "b"}, "f1_macro", &nested);
  EXPECT_EQ(j["chosen_on_all"], 1);
  EXPECT_EQ(j["candidates"][1]["chosen_for"], 3);
  EXPECT_EQ(j["candidates"][0]["chosen_for"], 0);
  EXPECT_EQ(j["nested"]["figures"], j["candidates"][1]["figures"]);
  EXPECT_DOUBLE_EQ(j["optimism"].get<double>(), 0.0);
  EXPECT_EQ(nested.predicted, better.predicted);
}

TEST(Select, EachRecordIsDecidedWithoutItselfAndTiesGoToTheFirst) {
  // Errors per record (a, b, c): x 0/5/5, y 5/0/0, so y is best pooled.
  // Without a: x 10, y 0 -> y. Without b or c: 5 each, a tie -> x.
  // Nested: a by y (5), b and c by x (5 + 5): 15 errors, worse than both.
  const auto x = rows_with(0, 5, 5), y = rows_with(5, 0, 0);
  PredictionRows nested;
  const auto j = select_nested({x, y}, {"x", "y"}, "accuracy", &nested);
  EXPECT_EQ(j["criterion"], "accuracy");
  EXPECT_EQ(j["chosen_on_all"], 1);
  EXPECT_EQ(j["per_record"][0], nlohmann::json({{"record", "a"}, {"chosen", 1}}));
  EXPECT_EQ(j["per_record"][1]["chosen"], 0);
  EXPECT_EQ(j["per_record"][2]["chosen"], 0);
  EXPECT_EQ(j["candidates"][0]["chosen_for"], 2);
  EXPECT_DOUBLE_EQ(j["candidates"][1]["figures"]["accuracy"].get<double>(), 45.0 / 50.0);
  EXPECT_DOUBLE_EQ(j["nested"]["figures"]["accuracy"].get<double>(), 35.0 / 50.0);
  EXPECT_DOUBLE_EQ(j["optimism"].get<double>(), 45.0 / 50.0 - 35.0 / 50.0);
  // The nested decisions are the chosen candidates' rows, scored as metrics does.
  const Metrics m = compute_metrics(nested.truth, nested.predicted);
  EXPECT_DOUBLE_EQ(m.accuracy, 35.0 / 50.0);
  EXPECT_DOUBLE_EQ(j["nested"]["figures"]["f1_macro"].get<double>(), m.f1_macro);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(nested.predicted[i], x.record[i] == "a" ? y.predicted[i] : x.predicted[i]) << i;
  // Swapping the order moves the ties to y: y is then chosen everywhere.
  const auto swapped = select_nested({y, x}, {"y", "x"}, "accuracy");
  EXPECT_EQ(swapped["candidates"][0]["chosen_for"], 3);
  EXPECT_DOUBLE_EQ(swapped["optimism"].get<double>(), 0.0);
}

TEST(Select, NestedRowsFollowTheFirstCandidateWhateverTheOthersOrder) {
  const auto x = rows_with(0, 5, 5), y = rows_with(5, 0, 0);
  const PredictionRows reversed = reversed_rows(y);
  PredictionRows a, b;
  EXPECT_EQ(select_nested({x, y}, {"x", "y"}, "accuracy", &a), select_nested({x, reversed}, {"x", "y"}, "accuracy", &b));
  EXPECT_EQ(a.predicted, b.predicted);
  EXPECT_EQ(a.r_sample, x.r_sample);
}

TEST(Select, FloorsChooseAnOperatingPoint) {
  // x misses half of record a's S beats and calls nothing else S (+P 1);
  // y finds them all but calls 20 of record c's N beats S (+P 1/3 pooled).
  const auto x = rows_with(5, 0, 0), y = rows_with(0, 0, 20);
  const auto plain = select_nested({x, y}, {"x", "y"}, "sveb_se");
  EXPECT_EQ(plain["chosen_on_all"], 1);
  EXPECT_EQ(plain["per_record"][1]["chosen"], 1);
  EXPECT_FALSE(plain.contains("floors"));
  EXPECT_FALSE(plain["candidates"][0].contains("meets_floors"));
  PredictionRows nested;
  const auto j = select_nested({x, y}, {"x", "y"}, "sveb_se", &nested, {{"sveb_ppv", 0.5}});
  EXPECT_EQ(j["floors"], nlohmann::json({{"sveb_ppv", 0.5}}));
  EXPECT_EQ(j["chosen_on_all"], 0);  // y's +P is below the floor on all records
  EXPECT_TRUE(j["candidates"][0]["meets_floors"].get<bool>());
  EXPECT_FALSE(j["candidates"][1]["meets_floors"].get<bool>());
  // Without b, y's false S calls (in c) put it below the floor: x decides b.
  // Without c, y calls nothing falsely S and finds more: y decides c.
  EXPECT_EQ(j["per_record"][1]["chosen"], 0);
  EXPECT_EQ(j["per_record"][2]["chosen"], 1);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(nested.predicted[i], x.record[i] == "c" ? y.predicted[i] : x.predicted[i]) << i;
  EXPECT_DOUBLE_EQ(j["nested"]["figures"]["sveb_ppv"].get<double>(), 5.0 / 25.0);
  // A floor nobody falls below changes no choice.
  const auto zero = select_nested({x, y}, {"x", "y"}, "sveb_se", nullptr, {{"sveb_ppv", 0.0}});
  EXPECT_EQ(zero["per_record"], plain["per_record"]);
  // When no candidate meets the floors, the criterion alone decides.
  const auto none = select_nested({y, y}, {"y1", "y2"}, "sveb_se", nullptr, {{"sveb_ppv", 0.9}, {"veb_se", 1.0}});
  EXPECT_EQ(none["chosen_on_all"], 0);
  EXPECT_THROW(select_nested({x, y}, {"x", "y"}, "sveb_se", nullptr, {{"sveb_ppv", 60.0}}), InvalidArgument);
  try {
    select_nested({x, y}, {"x", "y"}, "sveb_se", nullptr, {{"ppv", 0.5}});
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown floor figure 'ppv'"), std::string::npos) << e.what();
  }
}

TEST(Select, RefusesWhatItCannotChooseFrom) {
  const auto x = rows_with(1, 1, 1);
  EXPECT_THROW(select_nested({x}, {"x"}), InvalidArgument);
  EXPECT_THROW(select_nested({x, x}, {"x"}), InvalidArgument);
  try {
    select_nested({x, x}, {"x", "y"}, "f1");
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown criterion 'f1'"), std::string::npos) << e.what();
  }
  auto other = x;
  other.r_sample[12] += 1;
  try {
    select_nested({x, x, other}, {"x", "x2", "o.csv"});
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("row 13 (record b, r_sample 300) is not in the candidate 3 (o.csv)"), std::string::npos) << e.what();
  }
  PredictionRows one;
  for (int i = 0; i < 5; ++i) {
    one.record.push_back("a");
    one.r_sample.push_back(i);
    one.truth.push_back(0);
    one.predicted.push_back(0);
  }
  EXPECT_THROW(select_nested({one, one}, {"a", "b"}), InvalidArgument);
}
