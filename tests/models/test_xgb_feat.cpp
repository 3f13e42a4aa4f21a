// The xgb-feat family and the model bundle, on small synthetic data.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/io/sha256.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

namespace {

// Five well-separated Gaussian classes in 12 dimensions, unbalanced like ECG data.
Rows make_rows(std::size_t n, std::uint32_t seed) {
  Rows r;
  r.dim = 12;
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0, 1);
  std::discrete_distribution<int> cls({70, 8, 12, 4, 6});
  for (std::size_t i = 0; i < n; ++i) {
    const int c = cls(rng);
    for (std::size_t k = 0; k < r.dim; ++k) r.X.push_back(g(rng) + (k % 5 == static_cast<std::size_t>(c) ? 3.0f : 0.0f));
    r.y.push_back(c);
    r.record.push_back(100 + static_cast<int>(i % 7));
    r.r_sample.push_back(static_cast<std::int64_t>(i));
  }
  r.n = n;
  return r;
}

nlohmann::json small() { return {{"num_round", 40}, {"early_stopping_rounds", 5}, {"f1_every", 5}}; }

}  // namespace

// record_balance: one patient's 400 premature beats (x near 3) and another's
// 20 of another kind (x near -3), among normal beats (x near 0) of four
// records. Weighted by record, the small patient's kind counts as much as the
// large one's; by beat, it is a twentieth of the class.
TEST(XgbFeat, RecordBalanceGivesSmallRecordsTheirSay) {
  Rows r;
  r.dim = 2;
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0, 0.3f);
  const auto add = [&](int n, float centre, std::int32_t cls, std::int32_t rec) {
    for (int i = 0; i < n; ++i) {
      r.X.push_back(centre + g(rng));
      r.X.push_back(g(rng));
      r.y.push_back(cls);
      r.record.push_back(rec);
      r.r_sample.push_back(static_cast<std::int64_t>(r.y.size()));
    }
  };
  for (std::int32_t rec = 1; rec <= 4; ++rec) add(500, 0.0f, 0, rec);
  add(400, 3.0f, 1, 1);
  add(20, -3.0f, 1, 2);
  r.n = r.y.size();
  nlohmann::json p = {{"num_round", 8}, {"eta", 0.3}, {"max_depth", 2}, {"min_child_weight", 30}, {"subsample", 1.0},
                      {"colsample_bytree", 1.0}, {"f1_every", 0}};
  const auto p_s_at = [&](double alpha, float x) {
    nlohmann::json q = p;
    if (alpha >= 0) q["record_balance"] = alpha;
    auto m = create_classifier("xgb-feat", q, 3, 1);
    m->fit(r, Rows{}, nullptr);
    const std::vector<float> row = {x, 0.0f};
    return m->predict_proba(row, 1)[1];
  };
  const float plain = p_s_at(-1, -3.0f), zero = p_s_at(0, -3.0f), half = p_s_at(0.5, -3.0f), full = p_s_at(1, -3.0f);
  EXPECT_EQ(plain, zero);  // 0 is the default: the same model
  EXPECT_GT(half, plain);
  EXPECT_GT(full, half);
  EXPECT_GT(full, 0.5f);
  EXPECT_LT(p_s_at(1, 0.0f), 0.5f);  // normal beats stay N
  // Rows without records cannot be balanced by record.
  Rows bare = r;
  bare.record.clear();
  auto m = create_classifier("xgb-feat", {{"num_round", 2}, {"record_balance", 0.5}}, 3, 1);
  expect_throw_with<InvalidArgument>([&] { m->fit(bare, Rows{}, nullptr); }, "record_balance needs the rows' records");
  expect_throw_with<InvalidArgument>([&] { create_classifier("xgb-feat", {{"record_balance", 1.5}}, 3, 1); }, "record_balance");
}

TEST(XgbFeat, LearnsStopsEarlyAndIsDeterministic) {
  const Rows fit = make_rows(3000, 1), early = make_rows(800, 2), test = make_rows(800, 3);
  auto a = create_classifier("xgb-feat", small(), 7, 2);
  const TrainResult res = a->fit(fit, early, nullptr);
  ASSERT_FALSE(res.log.empty());
  EXPECT_GE(res.best_iteration, 1);
  EXPECT_LE(res.best_iteration, static_cast<int>(res.log.size()));
  EXPECT_GT(res.log.front().early_loss, res.log[static_cast<std::size_t>(res.best_iteration) - 1].early_loss);
  bool f1_logged = false;
  for (const auto& e : res.log) f1_logged |= e.early_macro_f1 >= 0;
  EXPECT_TRUE(f1_logged);
  const auto proba = a->predict_proba(test.X, test.n);
  ASSERT_EQ(proba.size(), test.n * 5);
  for (std::size_t i = 0; i < test.n; ++i) {
    float s = 0;
    for (int c = 0; c < 5; ++c) s += proba[i * 5 + static_cast<std::size_t>(c)];
    EXPECT_NEAR(s, 1.0f, 1e-4f);
  }
  const Metrics m = compute_metrics(test.y, argmax_rows(proba));
  EXPECT_GT(m.accuracy, 0.9);
  // Same data, parameters and seed: the same predictions, bit for bit.
  auto b = create_classifier("xgb-feat", small(), 7, 2);
  b->fit(fit, early, nullptr);
  EXPECT_EQ(b->predict_proba(test.X, test.n), proba);
}

TEST(XgbFeat, WithoutEarlyRowsTrainsEveryRoundAndKeepsThem) {
  const Rows fit = make_rows(2000, 4), test = make_rows(500, 5);
  auto a = create_classifier("xgb-feat", {{"num_round", 12}, {"early_stopping_rounds", 2}, {"f1_every", 3}}, 7, 1);
  const TrainResult res = a->fit(fit, Rows{}, nullptr);
  ASSERT_EQ(res.log.size(), 12u);  // patience does not apply without early-stopping rows
  EXPECT_EQ(res.best_iteration, 12);
  for (const auto& e : res.log) {
    EXPECT_TRUE(std::isnan(e.early_loss));
    EXPECT_LT(e.early_macro_f1, 0);
  }
  EXPECT_GT(res.log.front().train_loss, res.log.back().train_loss);
  EXPECT_GT(compute_metrics(test.y, argmax_rows(a->predict_proba(test.X, test.n))).accuracy, 0.9);
  // The same as early stopping that never triggers: all 12 rounds kept.
  auto b = create_classifier("xgb-feat", {{"num_round", 12}, {"early_stopping_rounds", 100}, {"f1_every", 0}}, 7, 1);
  b->fit(fit, make_rows(300, 6), nullptr);
  EXPECT_EQ(b->predict_proba(test.X, test.n), a->predict_proba(test.X, test.n));
  expect_throw_with<InvalidArgument>([&] { a->fit(Rows{}, Rows{}, nullptr); }, "no rows to fit");
  // Column subsets apply to the fitted rows only when there are no early rows.
  for (const nlohmann::json& cols : {nlohmann::json{{"use_samples", false}, {"num_samples", 4}},
                                     nlohmann::json{{"columns", {0, 3, 5, 7, 11}}}}) {
    nlohmann::json p = {{"num_round", 5}, {"f1_every", 0}};
    p.update(cols);
    auto c = create_classifier("xgb-feat", p, 7, 1);
    EXPECT_EQ(c->fit(fit, Rows{}, nullptr).best_iteration, 5) << cols.dump();
    EXPECT_EQ(c->predict_proba(test.X, test.n).size(), test.n * 5);
  }
}

TEST(XgbFeat, ParametersAreValidated) {
  expect_throw_with<InvalidArgument>([] { create_classifier("xgb-feat", {{"max_dpth", 3}}, 1, 1); }, "unknown parameter 'max_dpth'");
  EXPECT_THROW(create_classifier("svm", {}, 1, 1), InvalidArgument);
}

// Every parameter's type and range is checked when the model is created,
// before any data is read: a float where an integer belongs (which the JSON
// library would convert unchecked, undefined beyond the integer's range), a
// string, a boolean given as 0/1, an out-of-range rate or index.
TEST(XgbFeat, ParameterTypesAndRangesAreCheckedAtCreation) {
  const std::vector<std::pair<nlohmann::json, std::string>> bad = {
      {{{"num_round", 1e300}}, "parameter 'num_round' must be an integer in [1, 1000000], got 1e+300"},
      {{{"num_round", 0}}, "'num_round' must be an integer"},
      {{{"num_round", "500"}}, "'num_round' must be an integer"},
      {{{"max_depth", 6.0}}, "'max_depth' must be an integer in [1, 64], got 6.0"},
      {{{"max_depth", 6.5}}, "'max_depth'"},
      {{{"max_bin", 1}}, "'max_bin'"},
      {{{"early_stopping_rounds", -3}}, "'early_stopping_rounds'"},
      {{{"eta", 0}}, "'eta' must be a number in (0, 1], got 0"},
      {{{"eta", "fast"}}, "'eta'"},
      {{{"subsample", 1.5}}, "'subsample'"},
      {{{"colsample_bytree", nullptr}}, "'colsample_bytree'"},
      {{{"lambda", -1}}, "'lambda'"},
      {{{"max_class_weight", -1}}, "'max_class_weight'"},
      {{{"balanced_weights", 1}}, "'balanced_weights' must be true or false, got 1"},
      {{{"use_samples", "yes"}}, "'use_samples'"},
      {{{"num_samples", 1e30}}, "'num_samples'"},
      {{{"f1_every", -1}}, "'f1_every'"},
      {{{"columns", {0, 1.5}}}, "'columns' must be a list of integers in [0, 1000000]; element 1 is 1.5"},
      {{{"columns", {-1}}}, "element 0 is -1"},
      {{{"columns", 3}}, "'columns'"},
      {{{"predictor", "gpu"}}, "'predictor' must be \"native\" or \"xgboost\", got \"gpu\""},
  };
  for (const auto& [p, fragment] : bad) {
    SCOPED_TRACE(p.dump());
    expect_throw_with<InvalidArgument>([&] { create_classifier("xgb-feat", p, 1, 1); }, "xgb-feat: ");
    expect_throw_with<InvalidArgument>([&] { create_classifier("xgb-feat", p, 1, 1); }, fragment);
  }
  // The edges of every range are accepted.
  EXPECT_NO_THROW(create_classifier("xgb-feat",
                                    {{"num_round", 1}, {"eta", 1}, {"max_depth", 64}, {"subsample", 1.0}, {"colsample_bytree", 1},
                                     {"lambda", 0}, {"min_child_weight", 0}, {"max_class_weight", 0}, {"f1_every", 0},
                                     {"max_bin", 2}, {"columns", nlohmann::json::array()}, {"num_samples", 0}},
                                    1, 1));
  // An ensemble names the member whose parameter is wrong.
  expect_throw_with<InvalidArgument>(
      [] {
        create_classifier("ensemble", {{"members", {{{"family", "xgb-feat"}}, {{"family", "xgb-feat"}, {"params", {{"eta", -1}}}}}}},
                          1, 1);
      },
      "'eta'");
}

TEST(Bundle, RoundTripGivesIdenticalPredictions) {
  const Rows fit = make_rows(1500, 4), early = make_rows(400, 5);
  auto model = create_classifier("xgb-feat", small(), 3, 1);
  model->fit(fit, early, nullptr);
  const nlohmann::json meta = {{"label_set", "aami"}, {"preprocessing", {{"lead", 0}}}, {"seed", 3}};
  heartwave::test::TempDir dir;
  save_bundle(dir / "m.hwm", *model, meta);
  const ModelBundle b = load_bundle(dir / "m.hwm");
  EXPECT_EQ(b.meta["family"], "xgb-feat");
  EXPECT_EQ(b.meta["label_set"], "aami");
  EXPECT_EQ(b.meta["params"]["num_round"], 40);
  EXPECT_EQ(b.model->predict_proba(early.X, early.n), model->predict_proba(early.X, early.n));
}

TEST(Bundle, CorruptTruncatedAndForeignFilesAreRejected) {
  const Rows fit = make_rows(600, 6), early = make_rows(200, 7);
  auto model = create_classifier("xgb-feat", {{"num_round", 5}}, 3, 1);
  model->fit(fit, early, nullptr);
  const auto bytes = encode_bundle(*model, {{"seed", 3}});
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x40;
  expect_throw_with<ChecksumError>([&] { decode_bundle(flipped, "m.hwm"); }, "m.hwm: checksum mismatch");
  const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 3));
  EXPECT_THROW(decode_bundle(cut, "m.hwm"), ChecksumError);
  const std::vector<std::uint8_t> tiny(bytes.begin(), bytes.begin() + 10);
  expect_throw_with<FormatError>([&] { decode_bundle(tiny, "m.hwm"); }, "not a heartwave model file");
  auto other = bytes;
  other[8] = 99;  // format version
  expect_throw_with<UnsupportedError>([&] { decode_bundle(other, "m.hwm"); }, "format version 99");
  const std::string text = "just text, not a model at all, long enough to pass the size check......";
  EXPECT_THROW(decode_bundle(std::vector<std::uint8_t>(text.begin(), text.end()), "t"), FormatError);
  EXPECT_THROW(load_bundle("/nonexistent/m.hwm"), IoError);
}

namespace {

// The file re-encoded with its metadata edited and a fresh digest: what a
// file written elsewhere may hold, checksum and all.
std::vector<std::uint8_t> with_meta(const std::vector<std::uint8_t>& bytes, const std::function<void(nlohmann::json&)>& edit) {
  const auto u64_at = [&](std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(bytes[at + i]) << (8 * i);
    return v;
  };
  const std::size_t n = u64_at(12);
  nlohmann::json meta = nlohmann::json::parse(bytes.begin() + 20, bytes.begin() + 20 + static_cast<std::ptrdiff_t>(n));
  edit(meta);
  const std::string text = meta.dump();
  std::vector<std::uint8_t> o(bytes.begin(), bytes.begin() + 12);
  for (std::size_t i = 0; i < 8; ++i) o.push_back(static_cast<std::uint8_t>(text.size() >> (8 * i)));
  o.insert(o.end(), text.begin(), text.end());
  o.insert(o.end(), bytes.begin() + 20 + static_cast<std::ptrdiff_t>(n), bytes.end() - 32);  // weights length and weights
  Sha256 h;
  h.update(o.data(), o.size());
  const std::string hex = h.hex();
  for (std::size_t i = 0; i < 32; ++i) o.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16)));
  return o;
}

}  // namespace

// A model file's checksum says it is intact, not that whoever wrote it wrote
// sense: the metadata fields later steps read, and the stored parameters,
// are checked on loading, and a bad one is a FormatError naming the file.
TEST(Bundle, DamagedMetadataBehindAValidChecksumIsAFormatError) {
  const Rows fit = make_rows(600, 6), early = make_rows(200, 7);
  auto model = create_classifier("xgb-feat", {{"num_round", 5}}, 3, 1);
  model->fit(fit, early, nullptr);
  const auto bytes = encode_bundle(*model, {{"seed", 3}, {"label_set", "aami"}, {"training_log", {{{"iteration", 1}, {"stage", "round"}}}}});
  const auto same = with_meta(bytes, [](nlohmann::json&) {});
  EXPECT_EQ(decode_bundle(same, "m.hwm").model->predict_proba(early.X, early.n), model->predict_proba(early.X, early.n));
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases = {
      {[](auto& m) { m["params"]["num_round"] = 9.1e96; }, "m.hwm: the parameters stored in the model are not valid: xgb-feat: parameter 'num_round'"},
      {[](auto& m) { m["params"]["columns"] = {1, -2}; }, "parameter 'columns'"},
      {[](auto& m) { m["params"] = 3; }, "'params' is not an object"},
      {[](auto& m) { m["seed"] = -1; }, "'seed' is not an integer >= 0"},
      {[](auto& m) { m["seed"] = 1e300; }, "'seed'"},
      {[](auto& m) { m["seed"] = 3.0; }, "'seed' is not an integer >= 0"},
      {[](auto& m) { m["label_set"] = 5; }, "'label_set' is not a string"},
      {[](auto& m) { m["preprocessing"] = "none"; }, "'preprocessing' is not an object"},
      {[](auto& m) { m["training_log"] = {1, 2}; }, "'training_log[0]' is not an object"},
      {[](auto& m) { m["training_log"][0]["stage"] = 4; }, "'training_log[0]'.stage"},
      {[](auto& m) { m["training_log"][0]["train_loss"] = "low"; }, "'training_log[0]'.train_loss"},
      {[](auto& m) { m["family"] = 1; }, "lacks the model family"},
      {[](auto& m) { m = nlohmann::json::array(); }, "not a JSON object"},
  };
  for (const auto& [edit, fragment] : cases) {
    SCOPED_TRACE(fragment);
    expect_throw_with<FormatError>([&] { decode_bundle(with_meta(bytes, edit), "m.hwm"); }, fragment);
  }
}

TEST(XgbFeat, FeaturesOnlyDropsTheLeadingSampleColumns) {
  const Rows fit = make_rows(1500, 8), early = make_rows(400, 9);
  nlohmann::json p = small();
  p["use_samples"] = false;
  p["num_samples"] = 4;  // the first 4 of the 12 columns play the samples
  auto m = create_classifier("xgb-feat", p, 1, 1);
  m->fit(fit, early, nullptr);
  const auto proba = m->predict_proba(early.X, early.n);
  ASSERT_EQ(proba.size(), early.n * 5);
  // Changing the dropped columns changes nothing; changing a kept one does.
  Rows changed = early;
  for (std::size_t i = 0; i < changed.n; ++i) changed.X[i * 12 + 1] += 100.0f;
  EXPECT_EQ(m->predict_proba(changed.X, changed.n), proba);
  for (std::size_t i = 0; i < changed.n; ++i) changed.X[i * 12 + 6] += 100.0f;
  EXPECT_NE(m->predict_proba(changed.X, changed.n), proba);
  p["num_samples"] = 12;
  auto bad = create_classifier("xgb-feat", p, 1, 1);
  EXPECT_THROW(bad->fit(fit, early, nullptr), InvalidArgument);
}

TEST(XgbFeat, ColumnsSelectsASubset) {
  const Rows fit = make_rows(1500, 10), early = make_rows(400, 11);
  nlohmann::json p = small();
  p["columns"] = {0, 1, 2, 3, 4};  // one informative column per class
  auto m = create_classifier("xgb-feat", p, 1, 1);
  m->fit(fit, early, nullptr);
  const auto proba = m->predict_proba(early.X, early.n);
  EXPECT_GT(compute_metrics(early.y, argmax_rows(proba)).accuracy, 0.9);
  Rows changed = early;
  for (std::size_t i = 0; i < changed.n; ++i) changed.X[i * 12 + 9] += 100.0f;  // not selected
  EXPECT_EQ(m->predict_proba(changed.X, changed.n), proba);
  for (std::size_t i = 0; i < changed.n; ++i) changed.X[i * 12 + 2] += 100.0f;  // selected
  EXPECT_NE(m->predict_proba(changed.X, changed.n), proba);
  p["columns"] = {0, 12};
  auto bad = create_classifier("xgb-feat", p, 1, 1);
  expect_throw_with<InvalidArgument>([&] { bad->fit(fit, early, nullptr); }, "column 12 does not exist");
}

TEST(XgbFeat, InputColumnsAreTheColumnsItReads) {
  const auto cols = [](const nlohmann::json& p, std::size_t dim, const char* family = "xgb-feat") {
    return create_classifier(family, p, 1, 1)->input_columns(dim);
  };
  using V = std::vector<std::size_t>;
  EXPECT_EQ(cols(small(), 4), (V{0, 1, 2, 3}));
  EXPECT_EQ(cols({{"columns", {7, 2, 2, 5}}}, 12), (V{2, 5, 7}));
  EXPECT_EQ(cols({{"use_samples", false}, {"num_samples", 9}}, 12), (V{9, 10, 11}));
  // An ensemble reads what any member reads.
  const nlohmann::json a = {{"family", "xgb-feat"}, {"params", {{"columns", {1, 4}}}}};
  const nlohmann::json b = {{"family", "xgb-feat"}, {"params", {{"columns", {4, 6}}}}};
  EXPECT_EQ(cols({{"members", {a, b}}}, 12, "ensemble"), (V{1, 4, 6}));
  const nlohmann::json all = {{"family", "xgb-feat"}, {"params", nlohmann::json::object()}};
  EXPECT_EQ(cols({{"members", {a, all}}}, 5, "ensemble"), (V{0, 1, 2, 3, 4}));
}
