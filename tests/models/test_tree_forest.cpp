// Our own tree evaluator against XGBoost's predictor, and its checks on the
// model it reads.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/models/model.hpp"
#include "support.hpp"
#include "tree_forest.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

namespace {

Rows make_rows(std::size_t n, std::uint32_t seed, std::size_t dim = 10) {
  Rows r;
  r.dim = dim;
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0, 1);
  std::discrete_distribution<int> cls({60, 10, 15, 5, 10});
  for (std::size_t i = 0; i < n; ++i) {
    const int c = cls(rng);
    // Overlapping classes, so that trees grow deep and leaves are many.
    for (std::size_t k = 0; k < r.dim; ++k) r.X.push_back(g(rng) + (k % 5 == static_cast<std::size_t>(c) ? 1.2f : 0.0f));
    r.y.push_back(c);
    r.record.push_back(100);
    r.r_sample.push_back(static_cast<std::int64_t>(i));
  }
  r.n = n;
  return r;
}

std::unique_ptr<Classifier> trained(nlohmann::json p, const Rows& fit, const Rows& early) {
  p["num_round"] = 30;
  p["early_stopping_rounds"] = 30;
  p["predictor"] = "xgboost";
  auto m = create_classifier("xgb-feat", p, 3, 1);
  m->fit(fit, early, nullptr);
  return m;
}

// The same weights behind the other predictor.
std::unique_ptr<Classifier> with_predictor(const Classifier& m, const char* predictor, int threads) {
  auto p = m.params();
  p["predictor"] = predictor;
  auto other = create_classifier("xgb-feat", p, 3, threads);
  other->load_weights(m.save_weights());
  return other;
}

void expect_same_outputs(const Classifier& a, const Classifier& b, const Rows& rows) {
  const auto pa = a.predict_proba(rows.X, rows.n), pb = b.predict_proba(rows.X, rows.n);
  ASSERT_EQ(pa.size(), pb.size());
  // Bit for bit: leaf values summed in float in XGBoost's order, the same
  // softmax.
  std::size_t exact = 0;
  for (std::size_t i = 0; i < pa.size(); ++i) exact += pa[i] == pb[i];
  EXPECT_EQ(exact, pa.size()) << pa.size() - exact << " of " << pa.size() << " outputs differ";
}

}  // namespace

TEST(TreeForest, GivesXGBoostsOutputs) {
  const Rows fit = make_rows(3000, 1), early = make_rows(500, 2);
  const auto ref = trained({{"max_depth", 6}}, fit, early);
  // On the training rows (values sit on split thresholds), fresh rows, and
  // rows with missing and infinite values (default directions).
  Rows odd = make_rows(1000, 3);
  std::mt19937 rng(4);
  for (std::size_t i = 0; i < odd.X.size(); ++i) {
    const auto u = rng() % 10;
    if (u == 0) odd.X[i] = std::numeric_limits<float>::quiet_NaN();
    if (u == 1) odd.X[i] = std::numeric_limits<float>::infinity();
    if (u == 2) odd.X[i] = -std::numeric_limits<float>::infinity();
  }
  for (int threads : {1, 2}) {
    const auto native = with_predictor(*ref, "native", threads);
    expect_same_outputs(*ref, *native, fit);
    expect_same_outputs(*ref, *native, odd);
  }
}

TEST(TreeForest, HonoursColumnSubsets) {
  const Rows fit = make_rows(2000, 5, 12), early = make_rows(400, 6, 12), test = make_rows(600, 7, 12);
  const auto subset = trained({{"columns", {7, 0, 3, 11, 5}}}, fit, early);
  expect_same_outputs(*subset, *with_predictor(*subset, "native", 1), test);
  const auto tail = trained({{"use_samples", false}, {"num_samples", 4}}, fit, early);
  expect_same_outputs(*tail, *with_predictor(*tail, "native", 1), test);
  // Rows of the wrong width are refused, not read out of bounds.
  const auto native = with_predictor(*tail, "native", 1);
  const std::vector<float> narrow(11 * 3, 0.0f);
  expect_throw_with<InvalidArgument>([&] { native->predict_proba(narrow, 3); }, "rows have 11 columns");
}

TEST(TreeForest, RejectsModelsItCannotEvaluate) {
  const Rows fit = make_rows(800, 8), early = make_rows(200, 9);
  const auto m = trained({{"max_depth", 3}}, fit, early);
  const auto bytes = m->save_weights();
  const auto good = TreeForest::from_ubjson(bytes);
  EXPECT_EQ(good.num_class(), 5);
  EXPECT_EQ(good.num_features(), 10u);
  EXPECT_EQ(good.num_trees(), 150u);  // 30 rounds x 5 classes
  const auto base = nlohmann::json::from_ubjson(bytes);
  auto broken = [&](const std::function<void(nlohmann::json&)>& edit, const std::string& message) {
    auto j = base;
    edit(j);
    const auto b = nlohmann::json::to_ubjson(j);
    expect_throw_with<FormatError>([&] { TreeForest::from_ubjson(b); }, message);
  };
  const auto tree0 = [](nlohmann::json& j) -> nlohmann::json& { return j["learner"]["gradient_booster"]["model"]["trees"][0]; };
  broken([&](nlohmann::json& j) { tree0(j)["left_children"][0] = 100000; }, "'left_children' is not a whole number");
  broken([&](nlohmann::json& j) { tree0(j)["left_children"][0] = 1.5; }, "'left_children' is not a whole number");
  broken([&](nlohmann::json& j) { tree0(j)["split_conditions"][0] = 1e300; }, "out of float range");
  broken([&](nlohmann::json& j) { j["learner"]["gradient_booster"]["model"]["tree_info"][0] = 7; }, "class (tree_info)");
  broken([&](nlohmann::json& j) { j["learner"]["gradient_booster"]["model"]["tree_info"][0] = "x"; }, "not a number");
  broken([&](nlohmann::json& j) { j["learner"]["learner_model_param"]["num_class"] = "1e300"; }, "num_class is not a whole number");
  broken([&](nlohmann::json& j) { j["learner"]["objective"]["name"] = std::string("\xC0\x80"); }, "is not multi:softprob");
  broken([&](nlohmann::json& j) { j["learner"]["gradient_booster"]["model"]["trees"][0] = 3; }, "tree 0 has no 'tree_param'");
  broken([&](nlohmann::json& j) { tree0(j)["left_children"][0] = 0; }, "children out of range");
  broken([&](nlohmann::json& j) { tree0(j)["right_children"][0] = tree0(j)["left_children"][0]; }, "other parents");
  broken([&](nlohmann::json& j) { tree0(j)["split_indices"][0] = 10; }, "beyond num_feature");
  broken([&](nlohmann::json& j) { tree0(j)["split_conditions"].erase(0); }, "'split_conditions' does not hold");
  broken([&](nlohmann::json& j) { tree0(j)["split_type"][0] = 1; }, "categorical");
  broken([&](nlohmann::json& j) { j["learner"]["objective"]["name"] = "reg:squarederror"; }, "not multi:softprob");
  broken([&](nlohmann::json& j) { j["learner"]["gradient_booster"]["name"] = "gblinear"; }, "not gbtree");
  broken([&](nlohmann::json& j) { j["learner"]["gradient_booster"]["model"]["tree_info"].erase(0); }, "differ in length");
  broken([&](nlohmann::json& j) { j["learner"]["learner_model_param"].erase("num_class"); }, "no 'num_class'");
  const std::vector<std::uint8_t> truncated(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
  expect_throw_with<FormatError>([&] { TreeForest::from_ubjson(truncated); }, "not UBJSON");
  // An optimised UBJSON array of `true` values (no payload each) declaring
  // 2^40 of them in 13 bytes: refused, not built (fuzz_forest found it as
  // an out-of-memory). The same container with a count its bytes could hold
  // parses as far as the model's own checks.
  const std::vector<std::uint8_t> huge{'[', '$', 'T', '#', 'L', 0, 0, 1, 0, 0, 0, 0, 0};
  expect_throw_with<FormatError>([&] { TreeForest::from_ubjson(huge); }, "more values than 13 bytes can hold");
  const std::vector<std::uint8_t> few{'[', '$', 'T', '#', 'i', 3};
  expect_throw_with<FormatError>([&] { TreeForest::from_ubjson(few); }, "xgboost model");
  // Arrays nested 5,000 deep: refused before the recursive parser runs out of stack.
  const std::vector<std::uint8_t> deep(5000, '[');
  expect_throw_with<FormatError>([&] { TreeForest::from_ubjson(deep); }, "nested more than 64 deep");
  // The model XGBoost wrote still parses through the bounded builder, value for value.
  EXPECT_EQ(good.num_trees(), TreeForest::from_ubjson(nlohmann::json::to_ubjson(base)).num_trees());
}

TEST(TreeForest, EvaluatesAHandWrittenForest) {
  // The fuzzer's seed: five stumps, tree k splits feature k % 4 at 0.5 for
  // class k (leaves -0.1 left, 0.2 right; tree 1 sends missing values left).
  const auto bytes = read_file_bytes(std::filesystem::path(HEARTWAVE_SOURCE_DIR) / "fuzz/corpus/forest/five_stumps.ubj");
  const auto f = TreeForest::from_ubjson(bytes);
  ASSERT_EQ(f.num_trees(), 5u);
  ASSERT_EQ(f.min_row_width(), 4u);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> rows = {1, 0, 0, 0,  // trees 0 and 4 go right
                                   nan, nan, nan, nan};  // tree 1 left, the others right
  std::array<float, 5> m{};
  f.margins(rows.data(), m.data());
  EXPECT_EQ(m, (std::array<float, 5>{0.5f + 0.2f, 0.5f - 0.1f, 0.5f - 0.1f, 0.5f - 0.1f, 0.5f + 0.2f}));
  f.margins(rows.data() + 4, m.data());
  EXPECT_EQ(m, (std::array<float, 5>{0.5f + 0.2f, 0.5f - 0.1f, 0.5f + 0.2f, 0.5f + 0.2f, 0.5f + 0.2f}));
  const auto p = f.predict_proba(rows, 2, 4, 1);
  const double e_hi = std::exp(0.3), sum = 2 * e_hi + 3;
  EXPECT_NEAR(p[0], e_hi / sum, 1e-6);
  EXPECT_NEAR(p[1], 1 / sum, 1e-6);
  EXPECT_NEAR(p[5 + 1], 1 / (4 * e_hi + 1), 1e-6);
  expect_throw_with<InvalidArgument>([&] { f.predict_proba(std::vector<float>(6), 2, 3, 1); }, "reads 4 columns");
}
