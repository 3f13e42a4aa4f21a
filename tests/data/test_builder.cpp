#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "heartwave/data/builder.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/data/npy.hpp"
#include "heartwave/io/sha256.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::mitdb_dir;
using heartwave::test::TempDir;

namespace {

template <class T>
std::vector<T> load(const std::filesystem::path& p) {
  const auto a = read_npy(p);
  const auto s = a.as<T>();
  return {s.begin(), s.end()};
}

BuildOptions subset(const TempDir& out, Protocol protocol, std::vector<std::string> records) {
  BuildOptions o;
  o.data_dir = mitdb_dir();
  o.out_dir = out.path();
  o.protocol = protocol;
  o.labels = protocol == Protocol::seed ? LabelSet::seed : LabelSet::aami;
  o.records = std::move(records);
  o.smote_targets = {{1, 600}, {3, 600}};
  return o;
}

}  // namespace

TEST(Builder, SeedProtocolFilesManifestAndInvariants) {
  TempDir out;
  const auto opt = subset(out, Protocol::seed, {"100", "118", "208", "232"});
  const BuildReport rep = build_dataset(opt);
  const auto man = nlohmann::json::parse(read_file_text(out / "manifest.json"));
  EXPECT_EQ(man["protocol"], "seed");
  EXPECT_EQ(man["label_set"], "seed");
  EXPECT_EQ(man["schema"]["feature_names"].get<std::vector<std::string>>(), feature_names());
  // Written only when used: models from before it keep matching such datasets.
  EXPECT_FALSE(man["preprocessing"].contains("relative_morphology"));
  // Every listed file exists and matches its digest.
  ASSERT_EQ(man["files"].size(), 18u);
  for (const auto& [rel, info] : man["files"].items())
    EXPECT_EQ(sha256_file(out / rel), info["sha256"].get<std::string>()) << rel;

  std::size_t total_real = 0;
  for (const char* split : {"train", "val", "test"}) {
    const auto y = load<std::int32_t>(out / split / "y.npy");
    const auto rec = load<std::int32_t>(out / split / "record.npy");
    const auto rs = load<std::int64_t>(out / split / "r_sample.npy");
    const auto base = read_npy(out / split / "base.npy");
    const auto feat = read_npy(out / split / "feat.npy");
    const auto fo = read_npy(out / split / "feat_only.npy");
    ASSERT_EQ(base.shape, (std::vector<std::uint64_t>{y.size(), 187}));
    ASSERT_EQ(feat.shape, (std::vector<std::uint64_t>{y.size(), 187 + kNumFeatures}));
    ASSERT_EQ(fo.shape, (std::vector<std::uint64_t>{y.size(), kNumFeatures}));
    // feat = [base | feat_only], row by row.
    const auto b = base.as<float>(), f = feat.as<float>(), g = fo.as<float>();
    for (std::size_t i = 0; i < y.size(); i += 97) {
      EXPECT_EQ(f[i * (187 + kNumFeatures) + 5], b[i * 187 + 5]);
      EXPECT_EQ(f[i * (187 + kNumFeatures) + 187 + 3], g[i * kNumFeatures + 3]);
    }
    std::size_t synthetic = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (rec[i] == -1) {
        ++synthetic;
        EXPECT_EQ(rs[i], -1);
      } else {
        ++total_real;
      }
    }
    if (std::string(split) == "train") {
      std::map<int, std::size_t> per_class, real;
      for (std::size_t i = 0; i < y.size(); ++i) {
        ++per_class[y[i]];
        if (rec[i] != -1) ++real[y[i]];
      }
      // SMOTE tops classes 1 and 3 up to the target, never removes rows,
      // and leaves the other classes alone.
      EXPECT_EQ(per_class[1], std::max<std::size_t>(600, real[1]));
      EXPECT_EQ(per_class[3], std::max<std::size_t>(600, real[3]));
      EXPECT_LT(real[3], 600u);
      for (int c : {0, 2, 4}) EXPECT_EQ(per_class[c], real[c]);
      EXPECT_GT(synthetic, 0u);
      // Standardisation was fitted on the real training rows: their mean is 0.
      double mean = 0;
      std::size_t n = 0;
      for (std::size_t i = 0; i < y.size(); ++i)
        if (rec[i] != -1) {
          mean += b[i * 187 + 93];
          ++n;
        }
      EXPECT_NEAR(mean / static_cast<double>(n), 0.0, 1e-4);
    } else {
      EXPECT_EQ(synthetic, 0u) << split << " must hold no generated rows";
    }
  }
  std::size_t want = 0;
  for (auto c : rep.total) want += c;
  EXPECT_EQ(total_real, want);
  EXPECT_EQ(man["total_class_counts"]["N"].get<std::size_t>(), rep.total[0]);

  // Same options, same bytes.
  TempDir again;
  auto opt2 = opt;
  opt2.out_dir = again.path();
  opt2.threads = 1;
  EXPECT_EQ(build_dataset(opt2).manifest_sha256.size(), 64u);
  const auto man2 = nlohmann::json::parse(read_file_text(again / "manifest.json"));
  EXPECT_EQ(man2["files"], man["files"]);
}

TEST(Builder, NumpyLoadsTheFiles) {
  TempDir out;
  auto opt = subset(out, Protocol::seed, {"100", "208"});
  opt.smote = false;
  build_dataset(opt);
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as np,sys; d=sys.argv[1]; "
                          "b=np.load(d+'/train/feat.npy'); y=np.load(d+'/train/y.npy'); r=np.load(d+'/train/r_sample.npy'); "
                          "assert b.dtype==np.float32 and b.shape==(len(y),239), b.shape; "
                          "assert y.dtype==np.int32 and r.dtype==np.int64; print(len(y))\" " +
                          out.path().string();
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[64] = {0};
  const bool got = std::fgets(buf, sizeof buf, p) != nullptr;
  const int rc = pclose(p);
  ASSERT_EQ(rc, 0) << "numpy could not load the dataset (is python3-numpy installed? scripts/setup.sh installs it)";
  ASSERT_TRUE(got);
  EXPECT_EQ(std::stoul(buf), read_npy(out / "train/y.npy").shape[0]);
}

TEST(Builder, InterPatientKeepsRecordsOnOneSide) {
  TempDir out;
  const auto opt = subset(out, Protocol::inter_patient, {"101", "106", "118", "124", "201", "100", "103", "232"});
  const BuildReport rep = build_dataset(opt);
  EXPECT_FALSE(std::filesystem::exists(out / "val"));
  const auto tr = load<std::int32_t>(out / "train/record.npy");
  const auto te = load<std::int32_t>(out / "test/record.npy");
  const auto fold = load<std::int32_t>(out / "train/fold.npy");
  std::set<int> train_recs, test_recs;
  for (int r : tr)
    if (r != -1) train_recs.insert(r);
  for (int r : te) test_recs.insert(r);
  EXPECT_EQ(train_recs, (std::set<int>{101, 106, 118, 124, 201}));
  EXPECT_EQ(test_recs, (std::set<int>{100, 103, 232}));
  for (int r : train_recs) EXPECT_FALSE(test_recs.count(r)) << r;
  std::map<int, std::set<int>> folds;
  for (std::size_t i = 0; i < tr.size(); ++i) {
    if (tr[i] == -1) {
      EXPECT_EQ(fold[i], -1);
      continue;
    }
    folds[tr[i]].insert(fold[i]);
  }
  for (auto& [r, f] : folds) EXPECT_EQ(f.size(), 1u) << "record " << r;
  // AAMI labels: class Q holds no non-beat symbols (x, |, ~).
  EXPECT_EQ(rep.splits.at("test").synthetic, (std::array<std::size_t, 5>{}));
}

TEST(Builder, RejectsBadRecordChoices) {
  TempDir out;
  auto opt = subset(out, Protocol::inter_patient, {"102"});
  EXPECT_THROW(build_dataset(opt), InvalidArgument);  // paced
  opt.records = {"999"};
  EXPECT_THROW(build_dataset(opt), InvalidArgument);  // neither DS1 nor DS2
  opt = subset(out, Protocol::seed, {"../etc"});
  EXPECT_THROW(build_dataset(opt), InvalidArgument);
  opt = subset(out, Protocol::seed, {"100"});
  opt.data_dir = "/nonexistent/mitdb";
  EXPECT_THROW(build_dataset(opt), IoError);
}
