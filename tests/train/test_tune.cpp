// heartwave tune: search spaces, successive halving, and an objective that
// works with the test split deleted (it cannot look at it); cross-validation
// inside DS1.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "heartwave/train/rhythm_step_search.hpp"
#include "heartwave/train/cross_validate.hpp"
#include "heartwave/data/builder.hpp"
#include "heartwave/data/reader.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/models/model.hpp"
#include "heartwave/decision/rhythm_step.hpp"
#include "heartwave/train/tune.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;
using heartwave::test::TempDir;

TEST(SearchSpace, SamplesWithinBoundsDeterministically) {
  const SearchSpace space(nlohmann::json::parse(R"({
    "eta": {"log_uniform": [0.01, 1.0]}, "max_depth": {"int": [3, 5]}, "subsample": {"uniform": [0.5, 0.6]},
    "balanced_weights": {"choice": [true, false]}, "xgb.lambda": {"uniform": [1, 2]}, "f1_every": 0})"));
  std::mt19937_64 a(7), b(7);
  std::set<int> depths;
  std::set<bool> choices;
  for (int i = 0; i < 200; ++i) {
    const auto p = space.sample(a);
    EXPECT_EQ(p, space.sample(b));
    EXPECT_GE(p["eta"].get<double>(), 0.01);
    EXPECT_LE(p["eta"].get<double>(), 1.0);
    EXPECT_GE(p["subsample"].get<double>(), 0.5);
    EXPECT_LE(p["subsample"].get<double>(), 0.6);
    EXPECT_TRUE(p["max_depth"].is_number_integer());
    depths.insert(p["max_depth"].get<int>());
    choices.insert(p["balanced_weights"].get<bool>());
    EXPECT_GE(p["xgb"]["lambda"].get<double>(), 1.0);  // nested path
    EXPECT_EQ(p["f1_every"], 0);                        // fixed value
  }
  EXPECT_EQ(depths, (std::set<int>{3, 4, 5}));
  EXPECT_EQ(choices.size(), 2u);
}

TEST(SearchSpace, BadSpecsNameTheEntry) {
  expect_throw_with<ParseError>([] { SearchSpace(nlohmann::json::parse(R"({"eta": {"uniform": [1]}})")); }, "'eta'");
  expect_throw_with<ParseError>([] { SearchSpace(nlohmann::json::parse(R"({"eta": {"log_uniform": [0, 1]}})")); }, "lo > 0");
  expect_throw_with<ParseError>([] { SearchSpace(nlohmann::json::parse(R"({"d": {"int": [5, 3]}})")); }, "lo > hi");
  expect_throw_with<ParseError>([] { SearchSpace(nlohmann::json::parse(R"({"c": {"choice": []}})")); }, "non-empty list");
  EXPECT_THROW(SearchSpace(nlohmann::json::array()), ParseError);
  // An integer range too wide for an integer, or holding none.
  expect_throw_with<ParseError>([] { SearchSpace(nlohmann::json::parse(R"({"d": {"int": [1e300, 1e301]}})")); }, "'d': int needs");
  expect_throw_with<ParseError>([] { SearchSpace(nlohmann::json::parse(R"({"d": {"int": [3.2, 3.8]}})")); }, "'d': int needs");
  // A dotted name through a field that is not an object.
  expect_throw_with<ParseError>([] { SearchSpace(nlohmann::json::parse(R"({"xgb": 3, "xgb.eta": {"uniform": [0.1, 0.3]}})")); },
                                "'xgb.eta' names a field inside 'xgb'");
}

// Every file in configs/ (and each selection round's candidates under
// docs/research/) is read by some command (train --params, tune --space,
// train_default.sh, select_round.sh): a typo there must fail here, not in a user's
// 20-minute run. Parameter files must be accepted by their family; search
// spaces must parse, and every configuration they draw must be accepted.
TEST(Configs, ShippedFilesAreValidForTheirFamily) {
  int params_files = 0, spaces = 0, rhythm_steps = 0, searches = 0;
  // docs/research/<round>/ holds the candidates of each declared model
  // selection round (scripts/select_round.sh): parameter files too.
  std::vector<std::filesystem::path> files;
  for (const char* root : {"/configs", "/docs/research"})
    for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(HEARTWAVE_SOURCE_DIR) + root))
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    const std::filesystem::directory_entry entry(path);
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(name);
    const nlohmann::json j = nlohmann::json::parse(read_file_text(entry.path()));
    if (entry.path().parent_path().filename() == "search") {  // rhythm step searches for cv --search
      EXPECT_NO_THROW(rhythm_step_search_from_json(j, name));
      ++searches;
      continue;
    }
    if (entry.path().parent_path().filename() == "rhythm-steps") {  // decision rules for --rhythm-step
      ASSERT_TRUE(j.contains("rhythm_step"));
      EXPECT_TRUE(rhythm_step_from_json(j).enabled);
      ++rhythm_steps;
      continue;
    }
    const bool space = entry.path().parent_path().filename() == "tune";
    const std::string& rest = name;
    const std::string family = j.contains("members")              ? "ensemble"
                               : rest.rfind("cnn-mlp", 0) == 0 ? "cnn-mlp"
                               : rest.rfind("convxgb", 0) == 0 ? "convxgb"
                                                               : "xgb-feat";
    if (!space) {
      EXPECT_NO_THROW(create_classifier(family, j, 1, 1));
      ++params_files;
      continue;
    }
    const SearchSpace s(j);
    std::mt19937_64 rng(3);
    for (int i = 0; i < 20; ++i) {
      const nlohmann::json p = s.sample(rng);
      EXPECT_NO_THROW(create_classifier(family, p, 1, 1)) << p.dump();
    }
    ++spaces;
  }
  EXPECT_GE(params_files, 7);
  EXPECT_GE(spaces, 4);
  EXPECT_GE(rhythm_steps, 1);
  EXPECT_GE(searches, 2);
}

TEST(Configs, SelectionRoundsListABaselineFirst) {
  int rounds = 0;
  for (const auto& round : std::filesystem::directory_iterator(std::string(HEARTWAVE_SOURCE_DIR) + "/docs/research")) {
    SCOPED_TRACE(round.path().string());
    if (!round.is_directory()) continue;  // the rounds' write-ups (rNN-name.md) and the index
    // Candidates are the .json files; a NAME.cv-flags or NAME.data-flags sidecar must belong to one.
    std::vector<std::string> names;
    for (const auto& f : std::filesystem::directory_iterator(round.path()))
      if (f.path().extension() == ".json") names.push_back(f.path().filename().string());
    for (const auto& f : std::filesystem::directory_iterator(round.path()))
      if (f.path().extension() == ".cv-flags" || f.path().extension() == ".data-flags") {
        auto json = f.path();
        EXPECT_TRUE(std::filesystem::exists(json.replace_extension(".json"))) << f.path() << " has no candidate";
      }
    std::sort(names.begin(), names.end());
    ASSERT_GE(names.size(), 2u);
    EXPECT_EQ(names.front().rfind("00-", 0), 0u) << names.front();
    EXPECT_NE(names[1].rfind("00-", 0), 0u) << "two baselines";
    ++rounds;
  }
  EXPECT_GE(rounds, 1);
}

TEST(Tune, SuccessiveHalvingWithoutTheTestSplit) {
  TempDir out;
  BuildOptions o;
  o.data_dir = heartwave::test::mitdb_dir();
  o.out_dir = out / "ds";
  o.records = {"100", "208"};
  o.smote_targets = {{1, 200}, {3, 200}};
  build_dataset(o);
  std::filesystem::remove_all(out / "ds" / "test");  // tuning must not need it
  const SearchSpace space(nlohmann::json::parse(R"({"eta": {"uniform": [0.1, 0.4]}, "max_depth": {"int": [2, 4]}, "f1_every": 0})"));
  TuneOptions t;
  t.family = "xgb-feat";
  t.data = out / "ds";
  t.trials = 3;
  t.max_budget = 9;
  t.threads = 1;
  int seen = 0;
  t.on_trial = [&](const Trial&) { ++seen; };
  const TuneResult r = tune(space, t);
  // 3 trials at 3 rounds, the best of them again at 9.
  ASSERT_EQ(r.trials.size(), 4u);
  EXPECT_EQ(seen, 4);
  EXPECT_EQ(r.trials[0].budget, 3);
  EXPECT_EQ(r.trials[3].budget, 9);
  EXPECT_EQ(r.trials[3].rung, 1);
  double best0 = 0;
  for (int i = 0; i < 3; ++i) best0 = std::max(best0, r.trials[static_cast<std::size_t>(i)].objective);
  EXPECT_EQ(r.trials[3].params, [&] {
    for (int i = 0; i < 3; ++i)
      if (r.trials[static_cast<std::size_t>(i)].objective == best0) return r.trials[static_cast<std::size_t>(i)].params;
    return nlohmann::json();
  }());
  EXPECT_EQ(r.best.id, r.trials[3].id);
  EXPECT_EQ(r.best_params["num_round"], 9);
  EXPECT_GT(r.best.objective, 0.0);
  EXPECT_LE(r.best.objective, 1.0);
  EXPECT_NE(r.objective.find("validation"), std::string::npos);
  // The budget belongs to the search.
  const SearchSpace with_budget(nlohmann::json::parse(R"({"num_round": 5})"));
  expect_throw_with<InvalidArgument>([&] { tune(with_budget, t); }, "'num_round'");
}

namespace {

// Four DS1 records and one DS2 record in 3 folds, at out / "ds"; DS2 is then
// deleted, since nothing here may need it.
void build_small_inter_patient(const TempDir& out) {
  BuildOptions o;
  o.data_dir = heartwave::test::mitdb_dir();
  o.out_dir = out / "ds";
  o.protocol = Protocol::inter_patient;
  o.labels = LabelSet::aami;
  o.records = {"101", "118", "208", "209", "100"};
  o.smote_targets = {{1, 200}, {3, 200}};
  o.folds = 3;
  build_dataset(o);
  std::filesystem::remove_all(out / "ds" / "test");
}

}  // namespace

TEST(Tune, InterPatientObjectiveIsCrossValidationInsideDs1) {
  TempDir out;
  build_small_inter_patient(out);
  std::string what;
  const nlohmann::json params = {{"num_round", 5}, {"f1_every", 0}};
  const double f1 = tune_objective("xgb-feat", params, out / "ds", 1, 1, &what);
  EXPECT_GT(f1, 0.0);
  EXPECT_LE(f1, 1.0);
  EXPECT_NE(what.find("3-fold record-grouped cross-validation inside DS1"), std::string::npos) << what;

  // Every real DS1 beat is predicted exactly once, by a model that did not
  // see its record; SMOTE rows are never predicted.
  int folds_done = 0;
  const CrossValidation cv = cross_validate("xgb-feat", params, out / "ds", 1, 1, [&](int f, int n) {
    EXPECT_EQ(f, ++folds_done);
    EXPECT_EQ(n, 3);
  });
  const Rows ds1 = load_evaluation_split(out / "ds", "train", View::feat);
  std::set<std::pair<int, std::int64_t>> real, predicted;
  for (std::size_t i = 0; i < ds1.n; ++i)
    if (ds1.record[i] >= 0) real.insert({ds1.record[i], ds1.r_sample[i]});
  for (std::size_t i = 0; i < cv.truth.size(); ++i) predicted.insert({cv.record[i], cv.r_sample[i]});
  EXPECT_EQ(cv.truth.size(), real.size());
  EXPECT_EQ(predicted, real);
  EXPECT_EQ(cv.proba.size(), cv.truth.size() * 5);
  EXPECT_EQ(cv.best_iteration.size(), 3u);
  EXPECT_DOUBLE_EQ(compute_metrics(cv.truth, cv.predicted).f1_macro, f1);
  for (std::size_t i = 0; i < cv.truth.size(); ++i)  // each record sits in one fold
    for (std::size_t k = 0; k < ds1.n; ++k)
      if (ds1.record[k] == cv.record[i]) {
        ASSERT_EQ(ds1.fold[k], cv.fold[i]);
        break;
      }
  const int median = median_best_iteration(cv);
  EXPECT_NE(std::find(cv.best_iteration.begin(), cv.best_iteration.end(), median), cv.best_iteration.end());
  EXPECT_GE(std::count_if(cv.best_iteration.begin(), cv.best_iteration.end(), [&](int b) { return b <= median; }), 2);
  EXPECT_GE(std::count_if(cv.best_iteration.begin(), cv.best_iteration.end(), [&](int b) { return b >= median; }), 2);

  // Without early stopping: every fold trains the configured rounds, on more
  // rows, and still predicts every real DS1 beat once.
  const nlohmann::json fixed = {{"num_round", 4}, {"f1_every", 0}};
  const CrossValidation all = cross_validate("xgb-feat", fixed, out / "ds", 1, 1, nullptr, false);
  EXPECT_EQ(all.best_iteration, (std::vector<int>{4, 4, 4}));
  EXPECT_EQ(all.truth, cv.truth);
  EXPECT_NE(all.description.find("no early stopping"), std::string::npos) << all.description;
}

TEST(CrossValidate, LeaveOneRecordOutFitsEveryOtherRecord) {
  TempDir out;
  build_small_inter_patient(out);
  const nlohmann::json params = {{"num_round", 4}, {"f1_every", 0}};
  int calls = 0;
  const CrossValidation cv = leave_one_record_out("xgb-feat", params, out / "ds", 1, 1, [&](int f, int n) {
    EXPECT_EQ(f, ++calls);
    EXPECT_EQ(n, 4);
  });
  EXPECT_EQ(cv.folds, 4);
  EXPECT_EQ(cv.best_iteration, (std::vector<int>{4, 4, 4, 4}));
  EXPECT_NE(cv.description.find("leave-one-record-out"), std::string::npos);
  const Rows ds1 = load_training_splits(out / "ds", View::feat, -1).fit;  // real DS1 beats
  ASSERT_EQ(cv.truth.size(), ds1.n);
  const std::vector<int> order = {101, 118, 208, 209};
  for (std::size_t i = 0; i < cv.truth.size(); ++i) ASSERT_EQ(order[static_cast<std::size_t>(cv.fold[i])], cv.record[i]);
  // Record 208's predictions are those of a model fitted on the three others alone.
  std::vector<bool> rest(ds1.n), held(ds1.n);
  for (std::size_t i = 0; i < ds1.n; ++i) held[i] = !(rest[i] = ds1.record[i] != 208);
  auto m = create_classifier("xgb-feat", params, 1, 1);
  m->fit(select_rows(ds1, rest), Rows{}, nullptr);
  const Rows h = select_rows(ds1, held);
  const auto p = m->predict_proba(h.X, h.n);
  std::vector<float> from_cv;
  for (std::size_t i = 0; i < cv.truth.size(); ++i)
    if (cv.record[i] == 208) from_cv.insert(from_cv.end(), cv.proba.begin() + static_cast<std::ptrdiff_t>(i * 5),
                                            cv.proba.begin() + static_cast<std::ptrdiff_t>(i * 5 + 5));
  EXPECT_EQ(from_cv, p);
}

TEST(CrossValidate, MedianBestIteration) {
  CrossValidation cv;
  cv.best_iteration = {51, 41, 74, 69, 29};
  EXPECT_EQ(median_best_iteration(cv), 51);
  cv.best_iteration = {10, 40, 20, 30};
  EXPECT_EQ(median_best_iteration(cv), 20);
  cv.best_iteration.clear();
  EXPECT_THROW(median_best_iteration(cv), InvalidArgument);
}

TEST(CrossValidate, RefusesSeedDatasets) {
  TempDir out;
  BuildOptions o;
  o.data_dir = heartwave::test::mitdb_dir();
  o.out_dir = out / "ds";
  o.protocol = Protocol::seed;
  o.records = {"100", "101"};
  build_dataset(o);
  expect_throw_with<InvalidArgument>([&] { cross_validate("xgb-feat", {{"num_round", 2}}, out / "ds", 1, 1); },
                                     "needs an inter-patient dataset");
}
