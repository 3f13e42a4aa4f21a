#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <set>

#include "heartwave/data/builder.hpp"
#include "heartwave/data/reader.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/io/file_util.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::TempDir;

namespace {
void build(const TempDir& out, Protocol p, std::vector<std::string> records) {
  BuildOptions o;
  o.data_dir = heartwave::test::mitdb_dir();
  o.out_dir = out.path();
  o.protocol = p;
  o.labels = p == Protocol::seed ? LabelSet::seed : LabelSet::aami;
  o.records = std::move(records);
  o.smote_targets = {{1, 300}, {3, 300}};
  o.folds = 3;
  build_dataset(o);
}
}  // namespace

TEST(DatasetReader, TrainingNeverOpensTheTestSplit) {
  TempDir out;
  build(out, Protocol::seed, {"100", "208"});
  // Remove the test split entirely: training must not notice.
  std::filesystem::remove_all(out / "test");
  const auto t = load_training_splits(out.path(), View::feat);
  EXPECT_EQ(t.protocol, "seed");
  EXPECT_GT(t.fit.n, t.early.n);
  EXPECT_EQ(t.fit.dim, 187u + kNumFeatures);
  EXPECT_EQ(t.fit.X.size(), t.fit.n * t.fit.dim);
  EXPECT_THROW(load_evaluation_split(out.path(), "test", View::feat), IoError);
  EXPECT_EQ(load_evaluation_split(out.path(), "val", View::base).dim, 187u);
}

TEST(DatasetReader, InterPatientHoldsOutWholeRecordsOfDs1) {
  TempDir out;
  build(out, Protocol::inter_patient, {"101", "106", "118", "124", "201", "100", "103"});
  std::filesystem::remove_all(out / "test");  // DS2 is not needed to train
  const auto t = load_training_splits(out.path(), View::feat_only, 1);
  std::set<int> fit_recs(t.fit.record.begin(), t.fit.record.end()), early_recs(t.early.record.begin(), t.early.record.end());
  EXPECT_FALSE(early_recs.empty());
  for (int r : early_recs) EXPECT_FALSE(fit_recs.count(r)) << r;
  EXPECT_FALSE(fit_recs.count(-1));  // SMOTE rows dropped
  for (int r : fit_recs) EXPECT_TRUE(r == 101 || r == 106 || r == 118 || r == 124 || r == 201) << r;
  EXPECT_EQ(t.fit.dim, kNumFeatures);
}

TEST(DatasetReader, WithoutAnEarlyFoldEveryDs1RecordIsFitted) {
  TempDir out;
  build(out, Protocol::inter_patient, {"101", "106", "118", "124", "201", "100"});
  std::filesystem::remove_all(out / "test");
  const auto all = load_training_splits(out.path(), View::feat_only, -1);
  EXPECT_EQ(all.early.n, 0u);
  EXPECT_NE(all.description.find("no early stopping"), std::string::npos) << all.description;
  std::set<int> recs(all.fit.record.begin(), all.fit.record.end());
  EXPECT_EQ(recs, (std::set<int>{101, 106, 118, 124, 201}));  // SMOTE rows (-1) still dropped
  const auto one = load_training_splits(out.path(), View::feat_only, 1);
  EXPECT_EQ(all.fit.n, one.fit.n + one.early.n);
  // With a held-out fold and no early stopping: fit on the rest.
  const auto held = load_training_splits(out.path(), View::feat_only, -1, 2);
  EXPECT_EQ(held.early.n, 0u);
  EXPECT_EQ(held.fit.n + held.held_out.n, all.fit.n);
  EXPECT_THROW(load_training_splits(out.path(), View::feat_only, -2), InvalidArgument);
  // Seed datasets: -1 skips the validation split.
  TempDir seed;
  build(seed, Protocol::seed, {"100"});
  const auto s = load_training_splits(seed.path(), View::feat, -1);
  EXPECT_EQ(s.early.n, 0u);
  EXPECT_GT(s.fit.n, 0u);
  EXPECT_THROW(load_training_splits(seed.path(), View::feat, -1, -1, true), InvalidArgument);  // no rhythm column
}

// The annotated rhythm travels with DS1 rows, to leave AF beats out of
// fitting: record 201's atrial fibrillation episodes.
TEST(DatasetReader, Ds1RowsCarryTheAnnotatedRhythm) {
  TempDir out;
  build(out, Protocol::inter_patient, {"101", "201", "118", "208", "100"});
  const auto man = read_manifest(out.path());
  EXPECT_TRUE(man["files"].contains("train/rhythm.npy"));
  EXPECT_FALSE(man["files"].contains("test/rhythm.npy"));  // DS2's rhythm is never needed
  const auto all = load_training_splits(out.path(), View::feat_only, -1);
  ASSERT_EQ(all.fit.rhythm.size(), all.fit.n);
  std::map<int, std::size_t> af;
  for (std::size_t i = 0; i < all.fit.n; ++i) {
    ASSERT_TRUE(all.fit.rhythm[i] == 0 || all.fit.rhythm[i] == 1);
    af[all.fit.record[i]] += static_cast<std::size_t>(all.fit.rhythm[i]);
  }
  // 911 of 201's AAMI beats lie inside (AFIB (an independent count from the
  // .atr file); 101, 118 and 208 have no AF.
  EXPECT_EQ(af[201], 911u);
  EXPECT_EQ(af[101], 0u);
  EXPECT_EQ(af[118], 0u);
  EXPECT_EQ(af[208], 0u);
  const Rows kept = without_af_rows(all.fit);
  EXPECT_EQ(kept.n, all.fit.n - 911);
  for (auto v : kept.rhythm) EXPECT_EQ(v, 0);
  // Held-out folds keep their AF rows (they are still predicted).
  const auto held = load_training_splits(out.path(), View::feat_only, -1, 0);
  EXPECT_EQ(held.held_out.rhythm.size(), held.held_out.n);
  // exclude_af drops them from fitting and early stopping only.
  for (const int early : {-1, 1}) {
    const auto ex = load_training_splits(out.path(), View::feat_only, early, 0, true);
    const auto with = load_training_splits(out.path(), View::feat_only, early, 0);
    EXPECT_NE(ex.description.find("AF/flutter beats left out of fitting"), std::string::npos);
    for (const Rows* rows : {&ex.fit, &ex.early})
      for (auto v : rows->rhythm) EXPECT_EQ(v, 0);
    std::size_t af = 0;
    for (const Rows* rows : {&with.fit, &with.early})
      for (auto v : rows->rhythm) af += v == 1;
    EXPECT_EQ(ex.fit.n + ex.early.n + af, with.fit.n + with.early.n);
    EXPECT_EQ(ex.held_out.n, with.held_out.n);
  }
  // Rows without the column (a dataset built before it) cannot be filtered.
  Rows bare = all.fit;
  bare.rhythm.clear();
  EXPECT_THROW(without_af_rows(bare), FormatError);
}

TEST(DatasetReader, TamperedFilesAreDetected) {
  TempDir out;
  build(out, Protocol::seed, {"100"});
  auto bytes = read_file_bytes(out / "train/y.npy");
  bytes.back() ^= 1;
  write_file_atomic(out / "train/y.npy", bytes);
  EXPECT_THROW(load_training_splits(out.path(), View::feat), ChecksumError);
  write_file_atomic(out / "manifest.json", std::string("{not json"));
  EXPECT_THROW(read_manifest(out.path()), ParseError);
  EXPECT_THROW(parse_view("raw"), InvalidArgument);
}

// A manifest is a text file anyone can edit: every field later steps read is
// checked when it is read, and a damaged one is a FormatError naming the
// field (never a JSON library exception, nor a number converted unchecked).
TEST(DatasetReader, DamagedManifestsNameTheField) {
  TempDir out;
  build(out, Protocol::seed, {"100"});
  const nlohmann::json good = read_manifest(out.path());
  EXPECT_NO_THROW(validate_manifest(good, "m"));
  nlohmann::json ip = good;
  ip["protocol"] = "inter-patient";
  ip["parameters"]["folds"] = 5;
  EXPECT_NO_THROW(validate_manifest(ip, "m"));
  const auto damaged = [](nlohmann::json m, const std::function<void(nlohmann::json&)>& edit) {
    edit(m);
    return m;
  };
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {nlohmann::json::array(), "not a heartwave dataset manifest"},
      {damaged(good, [](auto& m) { m.erase("format"); }), "not a heartwave dataset manifest"},
      {damaged(good, [](auto& m) { m["format_version"] = 9.1e96; }), "'format_version' is not an integer"},
      {damaged(good, [](auto& m) { m["format_version"] = "1"; }), "'format_version' is not an integer"},
      {damaged(good, [](auto& m) { m["protocol"] = "random"; }), "'protocol'"},
      {damaged(good, [](auto& m) { m.erase("files"); }), "'files' is missing"},
      {damaged(good, [](auto& m) { m["files"]["train/y.npy"] = {{"sha256", 7}}; }), "files['train/y.npy'] has no 'sha256'"},
      {damaged(good, [](auto& m) { m["splits"]["train"] = 3; }), "splits['train']"},
      {damaged(good, [](auto& m) { m["label_set"] = nullptr; }), "'label_set'"},
      {damaged(good, [](auto& m) { m["schema"]["feature_names"][2] = 1; }), "non-string"},
      {damaged(good, [](auto& m) { m["schema"]["feat"]["columns"] = 1e300; }), "'schema.feat.columns'"},
      {damaged(good, [](auto& m) { m["schema"]["feat"]["columns"] = 3; }), "'schema.feat.columns'"},
      {damaged(good, [](auto& m) { m["preprocessing"]["fs"] = -360; }), "'preprocessing.fs'"},
      {damaged(ip, [](auto& m) { m["parameters"]["folds"] = 2.5; }), "'parameters.folds'"},
      {damaged(ip, [](auto& m) { m["parameters"].erase("folds"); }), "'parameters.folds'"},
      {damaged(ip, [](auto& m) { m["parameters"]["folds"] = -1; }), "'parameters.folds'"},
  };
  for (const auto& [m, fragment] : cases) {
    SCOPED_TRACE(fragment);
    heartwave::test::expect_throw_with<FormatError>([&] { validate_manifest(m, "some/manifest.json"); }, fragment);
    heartwave::test::expect_throw_with<FormatError>([&] { validate_manifest(m, "some/manifest.json"); }, "some/manifest.json: ");
  }
  EXPECT_THROW(validate_manifest(damaged(good, [](auto& m) { m["format_version"] = 2; }), "m"), UnsupportedError);
  // read_manifest checks the file it reads.
  write_file_atomic(out / "manifest.json", damaged(good, [](auto& m) { m["preprocessing"]["fs"] = "fast"; }).dump());
  heartwave::test::expect_throw_with<FormatError>([&] { read_manifest(out.path()); }, "'preprocessing.fs'");
}
