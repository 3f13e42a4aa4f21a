// The LibTorch families (cnn-mlp, convxgb) on small synthetic beats: they
// learn, are deterministic, round-trip through the model file, and reject
// bad parameters and damaged weights.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cmath>
#include <random>

#include "heartwave/core/error.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/models/bundle.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

namespace {

constexpr std::size_t kSamples = 40, kFeatures = 6;

// A "beat" is a bump whose shape depends on the class (narrow, wide,
// inverted, biphasic, doubled; global pooling cannot tell positions apart),
// jittered in position, plus noise; the features carry a weak class hint.
Rows make_beats(std::size_t n, std::uint32_t seed) {
  Rows r;
  r.dim = kSamples + kFeatures;
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0, 1);
  std::uniform_real_distribution<float> jitter(-3, 3);
  std::discrete_distribution<int> cls({60, 10, 14, 8, 8});
  auto bump = [](float k, float centre, float width) {
    const float d = (k - centre) / width;
    return std::exp(-0.5f * d * d);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const int c = cls(rng);
    const float at = 20.0f + jitter(rng);
    for (std::size_t k = 0; k < kSamples; ++k) {
      const float t = static_cast<float>(k);
      float v = 0;
      switch (c) {
        case 0: v = 2 * bump(t, at, 1.5f); break;
        case 1: v = 2 * bump(t, at, 5.0f); break;
        case 2: v = -2 * bump(t, at, 2.0f); break;
        case 3: v = 2 * bump(t, at - 2, 1.5f) - 2 * bump(t, at + 2, 1.5f); break;
        default: v = 2 * bump(t, at - 5, 1.5f) + 2 * bump(t, at + 5, 1.5f); break;
      }
      r.X.push_back(v + 0.3f * g(rng));
    }
    for (std::size_t k = 0; k < kFeatures; ++k) r.X.push_back(g(rng) + (k == static_cast<std::size_t>(c) ? 0.7f : 0.0f));
    r.y.push_back(c);
    r.record.push_back(100 + static_cast<int>(i % 5));
    r.r_sample.push_back(static_cast<std::int64_t>(i));
  }
  r.n = n;
  return r;
}

nlohmann::json small_net() {
  return {{"channels", {4, 8}}, {"num_samples", kSamples}, {"epochs", 12}, {"patience", 4}, {"batch_size", 64}, {"lr", 0.01}};
}

double accuracy_of(const Classifier& m, const Rows& r) {
  return compute_metrics(r.y, argmax_rows(m.predict_proba(r.X, r.n))).accuracy;
}

}  // namespace

TEST(CnnMlp, LearnsIsDeterministicAndRecordsItsShape) {
  const Rows fit = make_beats(1500, 1), early = make_beats(300, 2), test = make_beats(400, 3);
  auto a = create_classifier("cnn-mlp", small_net(), 5, 1);
  EXPECT_EQ(a->view(), View::feat);
  const TrainResult res = a->fit(fit, early, nullptr);
  ASSERT_FALSE(res.log.empty());
  EXPECT_EQ(res.log.front().stage, "epoch");
  EXPECT_GE(res.best_iteration, 1);
  EXPECT_LE(res.best_iteration, static_cast<int>(res.log.size()));
  EXPECT_GT(res.log.front().train_loss, res.log.back().train_loss);
  EXPECT_GE(res.log.back().early_macro_f1, 0.0);
  EXPECT_EQ(a->params()["num_features"], kFeatures);  // read off the data
  const auto proba = a->predict_proba(test.X, test.n);
  ASSERT_EQ(proba.size(), test.n * 5);
  for (std::size_t i = 0; i < test.n; ++i) {
    float s = 0;
    for (std::size_t c = 0; c < 5; ++c) s += proba[i * 5 + c];
    EXPECT_NEAR(s, 1.0f, 1e-5f);
  }
  EXPECT_GT(accuracy_of(*a, test), 0.9);
  auto b = create_classifier("cnn-mlp", small_net(), 5, 1);
  b->fit(fit, early, nullptr);
  EXPECT_EQ(b->predict_proba(test.X, test.n), proba);
  // Another seed gives another network.
  auto c = create_classifier("cnn-mlp", small_net(), 6, 1);
  c->fit(fit, early, nullptr);
  EXPECT_NE(c->predict_proba(test.X, test.n), proba);
}

namespace {

// Trains `family` told to leave the engineered features out, and checks that
// it reads the samples alone and says so (input_columns), and that with the
// features it reads every column.
void expect_samples_only(const std::string& family, nlohmann::json p, const char* flag) {
  const Rows fit = make_beats(800, 4), early = make_beats(200, 5);
  p["epochs"] = 2;
  p[flag] = false;
  auto m = create_classifier(family, p, 1, 1);
  m->fit(fit, early, nullptr);
  const auto proba = m->predict_proba(early.X, early.n);
  Rows changed = early;
  for (std::size_t i = 0; i < changed.n; ++i) changed.X[i * changed.dim + kSamples + 1] += 50.0f;
  EXPECT_EQ(m->predict_proba(changed.X, changed.n), proba);
  for (std::size_t i = 0; i < changed.n; ++i) changed.X[i * changed.dim + 20] += 5.0f;
  EXPECT_NE(m->predict_proba(changed.X, changed.n), proba);
  std::vector<std::size_t> samples(kSamples);
  for (std::size_t c = 0; c < kSamples; ++c) samples[c] = c;
  EXPECT_EQ(m->input_columns(early.dim), samples);
  p[flag] = true;
  EXPECT_EQ(create_classifier(family, p, 1, 1)->input_columns(early.dim).size(), early.dim);
}

}  // namespace

TEST(CnnMlp, WithoutFeaturesTheFeatureColumnsAreIgnored) { expect_samples_only("cnn-mlp", small_net(), "use_features"); }

TEST(ConvXgb, WithoutFeaturesXgboostReadsThePooledValuesOnly) {
  nlohmann::json p = small_net();
  p["xgb"] = {{"num_round", 10}, {"f1_every", 0}};
  expect_samples_only("convxgb", p, "xgb_with_features");
}

TEST(ConvXgb, TrainsTheTrunkThenXgboostAndIsDeterministic) {
  const Rows fit = make_beats(1500, 7), early = make_beats(300, 8), test = make_beats(400, 9);
  nlohmann::json p = small_net();
  p["xgb"] = {{"num_round", 30}, {"early_stopping_rounds", 5}, {"f1_every", 5}};
  auto a = create_classifier("convxgb", p, 3, 1);
  const TrainResult res = a->fit(fit, early, nullptr);
  bool cnn = false, xgb = false;
  for (const auto& e : res.log) {
    cnn |= e.stage == "cnn epoch";
    xgb |= e.stage == "xgb round";
  }
  EXPECT_TRUE(cnn && xgb);
  EXPECT_EQ(a->params()["xgb"]["num_round"], 30);
  EXPECT_EQ(a->params()["xgb"]["eta"], 0.2);  // a default kept beside the override
  EXPECT_GT(accuracy_of(*a, test), 0.9);
  auto b = create_classifier("convxgb", p, 3, 1);
  b->fit(fit, early, nullptr);
  EXPECT_EQ(b->predict_proba(test.X, test.n), a->predict_proba(test.X, test.n));
}

TEST(TorchFamilies, WithoutEarlyRowsEveryEpochRunsAndTheLastIsKept) {
  const Rows fit = make_beats(600, 12), test = make_beats(300, 13);
  nlohmann::json p = small_net();
  p["epochs"] = 5;
  p["patience"] = 1;
  auto a = create_classifier("cnn-mlp", p, 5, 1);
  const TrainResult res = a->fit(fit, Rows{}, nullptr);
  ASSERT_EQ(res.log.size(), 5u);
  EXPECT_EQ(res.best_iteration, 5);
  for (const auto& e : res.log) EXPECT_TRUE(std::isnan(e.early_loss));
  EXPECT_GT(res.log.front().train_loss, res.log.back().train_loss);
  auto b = create_classifier("cnn-mlp", p, 5, 1);
  b->fit(fit, Rows{}, nullptr);
  EXPECT_EQ(b->predict_proba(test.X, test.n), a->predict_proba(test.X, test.n));
  p["xgb"] = {{"num_round", 7}, {"early_stopping_rounds", 1}};
  p["epochs"] = 2;
  auto c = create_classifier("convxgb", p, 5, 1);
  const TrainResult rc = c->fit(fit, Rows{}, nullptr);
  EXPECT_EQ(rc.best_iteration, 7);  // every XGBoost round kept
  EXPECT_EQ(rc.log.size(), 2u + 7u);
  EXPECT_GT(accuracy_of(*c, test), 0.5);
}

TEST(TorchFamilies, RoundTripThroughTheModelFile) {
  const Rows fit = make_beats(600, 10), early = make_beats(200, 11);
  heartwave::test::TempDir dir;
  for (const char* family : {"cnn-mlp", "convxgb"}) {
    nlohmann::json p = small_net();
    p["epochs"] = 2;
    if (std::string(family) == "convxgb") p["xgb"] = {{"num_round", 10}};
    auto m = create_classifier(family, p, 2, 1);
    m->fit(fit, early, nullptr);
    save_bundle(dir / "m.hwm", *m, {{"seed", 2}});
    const ModelBundle b = load_bundle(dir / "m.hwm");
    EXPECT_EQ(b.meta["family"], family);
    EXPECT_EQ(b.model->predict_proba(early.X, early.n), m->predict_proba(early.X, early.n)) << family;
  }
}

TEST(TorchFamilies, DamagedOrMismatchedWeightsAreTypedErrors) {
  const Rows fit = make_beats(300, 12), early = make_beats(100, 13);
  nlohmann::json p = small_net();
  p["epochs"] = 1;
  auto m = create_classifier("cnn-mlp", p, 1, 1);
  m->fit(fit, early, nullptr);
  const auto w = m->save_weights();
  auto fresh = create_classifier("cnn-mlp", m->params(), 1, 1);
  const std::vector<std::uint8_t> cut(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(w.size() - 7));
  expect_throw_with<FormatError>([&] { fresh->load_weights(cut); }, "truncated");
  auto longer = w;
  longer.push_back(0);
  expect_throw_with<FormatError>([&] { fresh->load_weights(longer); }, "trailing bytes");
  nlohmann::json other = m->params();
  other["channels"] = {4, 16};
  auto wider = create_classifier("cnn-mlp", other, 1, 1);
  expect_throw_with<FormatError>([&] { wider->load_weights(w); }, "wrong shape");
  EXPECT_NO_THROW(fresh->load_weights(w));
  EXPECT_EQ(fresh->predict_proba(early.X, early.n), m->predict_proba(early.X, early.n));
  auto cx = create_classifier("convxgb", small_net(), 1, 1);
  EXPECT_THROW(cx->load_weights(std::vector<std::uint8_t>(5, 0)), FormatError);
}

TEST(TorchFamilies, ParametersAndShapesAreValidated) {
  expect_throw_with<InvalidArgument>([] { create_classifier("cnn-mlp", {{"chanels", {4}}}, 1, 1); }, "unknown parameter 'chanels'");
  expect_throw_with<InvalidArgument>([] { create_classifier("cnn-mlp", {{"kernel", 4}}, 1, 1); }, "'kernel' must be odd");
  expect_throw_with<InvalidArgument>([] { create_classifier("convxgb", {{"channels", nlohmann::json::array()}}, 1, 1); }, "'channels'");
  expect_throw_with<InvalidArgument>([] { create_classifier("cnn-mlp", {{"epochs", "ten"}}, 1, 1); }, "parameter 'epochs' must be an integer in [1, 1000000], got \"ten\"");
  expect_throw_with<InvalidArgument>([] { create_classifier("convxgb", {{"xgb", {{"max_dpth", 2}}}}, 1, 1); }, "unknown parameter 'max_dpth'");
  expect_throw_with<InvalidArgument>([] { create_classifier("cnn-mlp", {{"dropout", 1.5}}, 1, 1); }, "'dropout'");
  const Rows fit = make_beats(200, 14), early = make_beats(100, 15);
  auto m = create_classifier("cnn-mlp", small_net(), 1, 1);
  const std::vector<float> wrong(3 * 17, 0.0f);
  expect_throw_with<InvalidArgument>([&] { m->predict_proba(wrong, 3); }, "columns");
  nlohmann::json p = small_net();
  p["num_samples"] = 60;  // more samples than the rows have
  auto too_wide = create_classifier("cnn-mlp", p, 1, 1);
  EXPECT_THROW(too_wide->fit(fit, early, nullptr), InvalidArgument);
}

// The LibTorch families come from a module loaded on first use: a program
// that never creates one never loads LibTorch.
TEST(TorchFamilies, LibTorchIsLoadedOnlyWithTheFirstTorchFamily) {
  // ctest runs every test in a process of its own, so nothing has loaded it yet.
  if (dlsym(RTLD_DEFAULT, "openblas_get_num_threads") == nullptr) {
    auto xgb = create_classifier("xgb-feat", nlohmann::json::object(), 1, 1);
    EXPECT_EQ(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"), nullptr) << "xgb-feat loaded LibTorch";
  }
  ASSERT_NE(create_classifier("convxgb", small_net(), 1, 1), nullptr);
  EXPECT_NE(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"), nullptr);
}

// LibTorch parallelises its own kernels; OpenBLAS (what setup.sh installs for
// libblas.so.3) must then stay on one thread, or its spinning threads eat the
// other core and its thread count, which follows the machine's cores, changes
// the sums. Building a network pins it, whatever it was before; training on
// two LibTorch threads is then as deterministic as on one.
TEST(TorchFamilies, TheBlasRunsOnOneThread) {
  // LibTorch, and with it OpenBLAS, arrive with the module the first LibTorch family loads.
  ASSERT_NE(create_classifier("cnn-mlp", small_net(), 1, 1), nullptr);
  using Get = int (*)();
  using Set = void (*)(int);
  const auto get = reinterpret_cast<Get>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  const auto set = reinterpret_cast<Set>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  ASSERT_TRUE(get && set) << "LibTorch is not using OpenBLAS: install libopenblas0-pthread (scripts/setup.sh)";
  nlohmann::json p = small_net();
  p["epochs"] = 1;
  for (const char* family : {"cnn-mlp", "convxgb"}) {
    if (std::string(family) == "convxgb") p["xgb"] = {{"num_round", 3}};
    set(2);
    ASSERT_EQ(get(), 2);
    auto m = create_classifier(family, p, 1, 2);
    EXPECT_EQ(get(), 1) << family;
    set(2);
    const Rows fit = make_beats(300, 30), test = make_beats(100, 31);
    m->fit(fit, Rows{}, nullptr);
    EXPECT_EQ(get(), 1) << family << ": fit builds its network anew";
    // Two LibTorch threads are deterministic too.
    auto again = create_classifier(family, p, 1, 2);
    again->fit(fit, Rows{}, nullptr);
    EXPECT_EQ(again->predict_proba(test.X, test.n), m->predict_proba(test.X, test.n)) << family;
  }
}

// Our own forward pass (batch norm folded) against LibTorch's, on the same weights.
TEST(TorchFamilies, NativeInferenceMatchesLibTorch) {
  const Rows fit = make_beats(800, 16), early = make_beats(300, 17);
  for (const char* family : {"cnn-mlp", "convxgb"}) {
    nlohmann::json p = small_net();
    p["epochs"] = 3;
    p["channels"] = {4, 8, 8};
    if (std::string(family) == "convxgb") p["xgb"] = {{"num_round", 10}};
    auto native = create_classifier(family, p, 4, 2);
    native->fit(fit, early, nullptr);
    EXPECT_EQ(native->params()["inference"], "native");
    nlohmann::json tp = native->params();
    tp["inference"] = "torch";
    auto torch_model = create_classifier(family, tp, 4, 1);
    torch_model->load_weights(native->save_weights());
    const auto a = native->predict_proba(early.X, early.n), b = torch_model->predict_proba(early.X, early.n);
    ASSERT_EQ(a.size(), b.size());
    float worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    EXPECT_LT(worst, 2e-5f) << family;
    // One row at a time gives the batch's answer.
    const auto one = native->predict_proba({early.X.data() + 5 * early.dim, early.dim}, 1);
    for (std::size_t c = 0; c < 5; ++c) EXPECT_EQ(one[c], a[5 * 5 + c]) << family;
  }
  expect_throw_with<InvalidArgument>([] { create_classifier("cnn-mlp", {{"inference", "gpu"}}, 1, 1); }, "'inference'");
}

TEST(Ensemble, AveragesItsMembersAndRoundTrips) {
  const Rows fit = make_beats(800, 20), early = make_beats(200, 21), test = make_beats(300, 22);
  nlohmann::json net = small_net();
  net["epochs"] = 3;
  const nlohmann::json xgb = {{"num_round", 15}, {"early_stopping_rounds", 5}, {"f1_every", 0}};
  const nlohmann::json params = {
      {"members", {{{"family", "xgb-feat"}, {"params", xgb}}, {{"family", "cnn-mlp"}, {"params", net}}}},
      {"weights", {1, 3}}};
  auto e = create_classifier("ensemble", params, 4, 1);
  EXPECT_EQ(e->family(), "ensemble");
  const TrainResult res = e->fit(fit, early, nullptr);
  bool first = false, second = false;
  for (const auto& l : res.log) {
    first |= l.stage.rfind("member 1 xgb-feat", 0) == 0;
    second |= l.stage.rfind("member 2 cnn-mlp", 0) == 0;
  }
  EXPECT_TRUE(first && second);
  // The members alone, same seed and rows: the ensemble is their 1:3 average.
  auto a = create_classifier("xgb-feat", xgb, 4, 1);
  auto b = create_classifier("cnn-mlp", net, 4, 1);
  a->fit(fit, early, nullptr);
  b->fit(fit, early, nullptr);
  const auto pa = a->predict_proba(test.X, test.n), pb = b->predict_proba(test.X, test.n);
  const auto pe = e->predict_proba(test.X, test.n);
  ASSERT_EQ(pe.size(), pa.size());
  for (std::size_t k = 0; k < pe.size(); ++k) {
    float v = 0.0f;
    v += 0.25f * pa[k];
    v += 0.75f * pb[k];
    ASSERT_EQ(pe[k], v) << k;
  }
  EXPECT_EQ(e->params()["weights"], nlohmann::json({0.25, 0.75}));
  EXPECT_EQ(e->params()["members"][1]["params"]["num_features"], kFeatures);  // read off the data at fit
  heartwave::test::TempDir dir;
  save_bundle(dir / "e.hwm", *e, {{"seed", 4}});
  const ModelBundle back = load_bundle(dir / "e.hwm");
  EXPECT_EQ(back.model->predict_proba(test.X, test.n), pe);
  // Damaged member weights are typed errors.
  auto w = e->save_weights();
  auto fresh = create_classifier("ensemble", e->params(), 4, 1);
  expect_throw_with<FormatError>([&] { fresh->load_weights(std::span(w).first(5)); }, "truncated length");
  expect_throw_with<FormatError>([&] { fresh->load_weights(std::span(w).first(w.size() - 1)); }, "runs past the end");
  w.push_back(0);
  expect_throw_with<FormatError>([&] { fresh->load_weights(w); }, "1 bytes left over");
}

// A model of `family` fitted on `fit` (no early stopping): its probabilities
// for `test`, and the same after a save/load round trip of the model file.
std::vector<float> fit_and_predict(const std::string& family, const nlohmann::json& params, std::uint64_t seed, const Rows& fit,
                                   const Rows& test) {
  auto m = create_classifier(family, params, seed, 1);
  m->fit(fit, Rows{}, nullptr);
  const auto p = m->predict_proba(test.X, test.n);
  heartwave::test::TempDir dir;
  save_bundle(dir / "m.hwm", *m, {{"seed", seed}});
  EXPECT_EQ(load_bundle(dir / "m.hwm").model->predict_proba(test.X, test.n), p) << family << " after a round trip";
  return p;
}

TEST(Ensemble, MembersMayNameTheirOwnSeed) {
  const Rows fit = make_beats(600, 30), test = make_beats(200, 31);
  const nlohmann::json xgb = {{"num_round", 12}, {"subsample", 0.5}, {"colsample_bytree", 0.5}, {"f1_every", 0}};
  const nlohmann::json params = {{"members", {{{"family", "xgb-feat"}, {"params", xgb}, {"seed", 7}},
                                              {{"family", "xgb-feat"}, {"params", xgb}}}}};
  // Member 1 is the model seed 7 fits alone, member 2 the one seed 8 (the
  // ensemble's) fits; with subsampling the two differ, so the seed is used.
  // The round trip checks that the model file keeps the seed.
  const auto pe = fit_and_predict("ensemble", params, 8, fit, test);
  const auto pa = fit_and_predict("xgb-feat", xgb, 7, fit, test), pb = fit_and_predict("xgb-feat", xgb, 8, fit, test);
  EXPECT_NE(pa, pb);
  ASSERT_EQ(pe.size(), pa.size());
  for (std::size_t k = 0; k < pe.size(); ++k) ASSERT_EQ(pe[k], 0.5f * pa[k] + 0.5f * pb[k]) << k;
  const auto kept = create_classifier("ensemble", params, 8, 1)->params()["members"];
  EXPECT_EQ(kept[0]["seed"], 7);
  EXPECT_FALSE(kept[1].contains("seed"));
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {{{"family", "xgb-feat"}, {"seed", -1}}, {{"family", "xgb-feat"}}}}}, 1, 1); },
      "members[0].seed must be an integer from 0 to 2^64 - 1");
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {{{"family", "xgb-feat"}, {"seed", 7.0}}, {{"family", "xgb-feat"}}}}}, 1, 1); }, "members[0].seed must be");
  // Seeds are unsigned 64-bit: one above 2^63, which a model file may hold, is
  // accepted here as it is by the bundle reader.
  const std::uint64_t big = (std::uint64_t{1} << 63) + 5;
  const auto high = create_classifier("ensemble", {{"members", {{{"family", "xgb-feat"}, {"seed", big}}, {{"family", "xgb-feat"}}}}}, 1, 1)->params()["members"];
  EXPECT_EQ(high[0]["seed"].get<std::uint64_t>(), big);
}

TEST(Ensemble, WeightsPerClass) {
  const Rows fit = make_beats(600, 40), test = make_beats(200, 41);
  const nlohmann::json xgb = {{"num_round", 10}, {"f1_every", 0}};
  const nlohmann::json shallow = {{"num_round", 10}, {"max_depth", 2}, {"f1_every", 0}};
  const nlohmann::json params = {{"members", {{{"family", "xgb-feat"}, {"params", xgb}}, {{"family", "xgb-feat"}, {"params", shallow}}}},
                                 {"weights", {{1, 1, 1, 1, 1}, {3, 1, 0, 0, 0}}}};
  const auto pe = fit_and_predict("ensemble", params, 5, fit, test);
  const auto pa = fit_and_predict("xgb-feat", xgb, 5, fit, test), pb = fit_and_predict("xgb-feat", shallow, 5, fit, test);
  ASSERT_EQ(pe.size(), pa.size());
  // N: 1/4 of a and 3/4 of b; S: half each; V, F, Q: a's alone; then each row scaled to sum to 1.
  const std::array<float, 5> wa = {0.25f, 0.5f, 1.0f, 1.0f, 1.0f}, wb = {0.75f, 0.5f, 0.0f, 0.0f, 0.0f};
  for (std::size_t r = 0; r < test.n; ++r) {
    std::array<double, 5> v{};
    double sum = 0;
    for (std::size_t c = 0; c < 5; ++c) sum += v[c] = wa[c] * pa[r * 5 + c] + wb[c] * pb[r * 5 + c];
    for (std::size_t c = 0; c < 5; ++c) ASSERT_NEAR(pe[r * 5 + c], v[c] / sum, 1e-6) << r << " " << c;
  }
  EXPECT_EQ(create_classifier("ensemble", params, 5, 1)->params()["weights"][1], nlohmann::json({0.75, 0.5, 0.0, 0.0, 0.0}));
  const nlohmann::json one = {{"family", "xgb-feat"}};
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {one, one}}, {"weights", {{1, 1, 1, 1, 1}, {1, 1}}}}, 1, 1); },
      "weights[1] must be a list of 5 numbers");
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {one, one}}, {"weights", {{1, 1, 0, 1, 1}, {1, 1, 0, 0, 0}}}}, 1, 1); },
      "weights of class 2 sum to 0");
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {one, one}}, {"weights", {{1, 1, 1, 1, 1}, {1, -1, 0, 0, 0}}}}, 1, 1); },
      "weights[1][1] must be a number >= 0");
}

TEST(Ensemble, ParametersAreValidated) {
  const nlohmann::json one = {{"family", "xgb-feat"}};
  expect_throw_with<InvalidArgument>([&] { create_classifier("ensemble", {{"members", {one}}}, 1, 1); }, "at least two");
  expect_throw_with<InvalidArgument>([&] { create_classifier("ensemble", {{"members", {one, {{"params", {}}}}}}, 1, 1); },
                                     "members[1] needs a \"family\"");
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {one, {{"family", "ensemble"}}}}}, 1, 1); }, "cannot hold an ensemble");
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {one, one}}, {"weights", {1}}}, 1, 1); }, "must hold one number");
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {one, one}}, {"weights", {0, 0}}}, 1, 1); }, "sum to 0");
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {one, one}}, {"weightz", {1, 1}}}, 1, 1); }, "unknown parameter 'weightz'");
  expect_throw_with<InvalidArgument>(
      [&] { create_classifier("ensemble", {{"members", {one, {{"family", "xgb-feat"}, {"params", {{"max_dpth", 2}}}}}}}, 1, 1); },
      "unknown parameter 'max_dpth'");
}
