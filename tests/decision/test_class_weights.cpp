// The decision rule (weighted argmax) and the choice of its class weights.
#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "heartwave/decision/class_weights.hpp"
#include "heartwave/train/fit_class_weights.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/eval/metrics.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

namespace {

std::vector<float> random_proba(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.01f, 1.0f);
  std::vector<float> p(n * 5);
  for (std::size_t i = 0; i < n; ++i) {
    float s = 0;
    for (int c = 0; c < 5; ++c) s += p[i * 5 + static_cast<std::size_t>(c)] = u(rng);
    for (int c = 0; c < 5; ++c) p[i * 5 + static_cast<std::size_t>(c)] /= s;
  }
  return p;
}

// N and S rows whose S probability is too low for argmax to call S: true S
// rows get p_S around 0.3, N rows around 0.05 (plus a few V and F rows that
// argmax gets right).
struct Shy {
  std::vector<float> proba;
  std::vector<std::int32_t> truth, fold;
};
Shy shy_s(std::uint32_t seed) {
  Shy d;
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0, 0.05f);
  auto row = [&](std::int32_t label, std::array<float, 5> p) {
    for (auto& v : p) v = std::max(1e-4f, v + g(rng));
    float s = 0;
    for (float v : p) s += v;
    for (float v : p) d.proba.push_back(v / s);
    d.truth.push_back(label);
    d.fold.push_back(static_cast<std::int32_t>(d.truth.size() % 4));
  };
  for (int i = 0; i < 2000; ++i) row(0, {0.9f, 0.05f, 0.02f, 0.02f, 0.01f});
  for (int i = 0; i < 200; ++i) row(1, {0.65f, 0.3f, 0.02f, 0.02f, 0.01f});
  for (int i = 0; i < 200; ++i) row(2, {0.1f, 0.02f, 0.85f, 0.02f, 0.01f});
  for (int i = 0; i < 100; ++i) row(3, {0.1f, 0.02f, 0.02f, 0.85f, 0.01f});
  return d;
}

}  // namespace

TEST(Decision, UnitWeightsAreTheArgmaxAndWeightsMoveTheChoice) {
  const auto p = random_proba(500, 1);
  EXPECT_EQ(decide(p, {1, 1, 1, 1, 1}), argmax_rows(p));
  const std::vector<float> row = {0.5f, 0.3f, 0.1f, 0.05f, 0.05f};
  EXPECT_EQ(decide(row, {1, 1, 1, 1, 1}), std::vector<std::int32_t>{0});
  EXPECT_EQ(decide(row, {1, 2, 1, 1, 1}), std::vector<std::int32_t>{1});   // 0.6 > 0.5
  EXPECT_EQ(decide(row, {1, 1.5, 6, 1, 1}), std::vector<std::int32_t>{2});  // 0.6 > 0.5 > 0.45
  EXPECT_EQ(decide(row, {0.5, 1, 1, 1, 1}), std::vector<std::int32_t>{1});
  expect_throw_with<InvalidArgument>([&] { decide(std::vector<float>(7), {1, 1, 1, 1, 1}); }, "rows x 5");
  expect_throw_with<InvalidArgument>([&] { decide(row, {1, 0, 1, 1, 1}); }, "finite and positive");
  expect_throw_with<InvalidArgument>([&] { decide(row, {1, NAN, 1, 1, 1}); }, "finite and positive");
}

TEST(Decision, FittedWeightsRecoverAnUnderCalledClass) {
  const Shy d = shy_s(3);
  const DecisionFit f = fit_class_weights(d.proba, d.truth, d.fold);
  EXPECT_DOUBLE_EQ(f.macro_f1_argmax, compute_metrics(d.truth, argmax_rows(d.proba)).f1_macro);
  EXPECT_GT(f.weights[1], 1.5);  // S must be boosted to be called at all
  EXPECT_EQ(f.weights[0], 1.0);
  EXPECT_EQ(f.weights[4], 1.0);
  EXPECT_DOUBLE_EQ(f.macro_f1_weighted, compute_metrics(d.truth, decide(d.proba, f.weights)).f1_macro);
  EXPECT_GT(f.macro_f1_weighted, f.macro_f1_argmax + 0.1);
  // Nested: four folds, each decided by weights chosen on the other three.
  ASSERT_EQ(f.fold_weights.size(), 4u);
  EXPECT_GT(f.macro_f1_nested, f.macro_f1_argmax + 0.1);
  EXPECT_LE(f.macro_f1_nested, 1.0);
  // Without folds there is no nested figure.
  EXPECT_LT(fit_class_weights(d.proba, d.truth).macro_f1_nested, 0);
}

TEST(Decision, PerfectArgmaxKeepsUnitWeights) {
  std::vector<float> p;
  std::vector<std::int32_t> t;
  for (int i = 0; i < 100; ++i)
    for (std::int32_t c = 0; c < 4; ++c) {
      for (std::int32_t k = 0; k < 5; ++k) p.push_back(k == c ? 0.8f : 0.05f);
      t.push_back(c);
    }
  const DecisionFit f = fit_class_weights(p, t);
  EXPECT_EQ(f.weights, (ClassWeights{1, 1, 1, 1, 1}));  // flat optimum: no change
  EXPECT_DOUBLE_EQ(f.macro_f1_weighted, 1.0);
  expect_throw_with<InvalidArgument>([&] { fit_class_weights(p, std::vector<std::int32_t>(3)); }, "differ in rows");
  expect_throw_with<InvalidArgument>([&] { fit_class_weights({}, {}); }, "no rows");
}

TEST(Decision, JsonRoundTripAndBadFieldsAreNamed) {
  const Shy d = shy_s(5);
  const DecisionFit f = fit_class_weights(d.proba, d.truth, d.fold);
  const nlohmann::json j = to_json(f);
  EXPECT_EQ(class_weights_from_json(j), f.weights);
  EXPECT_EQ(class_weights_from_json(nlohmann::json()), (ClassWeights{1, 1, 1, 1, 1}));
  EXPECT_EQ(model_class_weights({{"family", "xgb-feat"}, {"decision", j}}), f.weights);
  EXPECT_EQ(model_class_weights({{"family", "xgb-feat"}}), (ClassWeights{1, 1, 1, 1, 1}));
  expect_throw_with<FormatError>([] { class_weights_from_json({{"class_weights", {1, 1, 1}}}); }, "expected 5 numbers");
  expect_throw_with<FormatError>([] { class_weights_from_json({{"class_weights", {1, 1, "x", 1, 1}}}); },
                                 "class_weights[2]: not a number");
  expect_throw_with<FormatError>([] { class_weights_from_json({{"class_weights", {1, 1, 1, -2, 1}}}); },
                                 "class_weights[3]: must be finite and positive");
  expect_throw_with<FormatError>([] { class_weights_from_json(nlohmann::json::array()); }, "class_weights");
}
