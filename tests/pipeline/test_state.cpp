// Content hashes of files and folders, pipeline.lock (DVC's schema 2.0 with
// sha256), and the content-addressed cache.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include "heartwave/core/error.hpp"
#include "heartwave/io/sha256.hpp"
#include "heartwave/pipeline/cache.hpp"
#include "pipeline_test_util.hpp"

using namespace heartwave;
using namespace heartwave::pipeline;
using hwtest::read;
using hwtest::TempDir;
using hwtest::write;
namespace fs = std::filesystem;

TEST(PipelineState, FileHashIsItsSha256AndSize) {
  TempDir d;
  write(d / "a.txt", "hello\n");
  const FileState f = hash_path(d.path, "a.txt");
  EXPECT_EQ(f.sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");  // sha256sum of "hello\n"
  EXPECT_EQ(f.sha256, sha256_file(d / "a.txt"));
  EXPECT_EQ(f.size, 6u);
  EXPECT_FALSE(f.is_dir());
  const FileState missing = hash_path(d.path, "nope.txt");
  EXPECT_FALSE(missing.exists());
  EXPECT_EQ(missing.path, "nope.txt");
}

TEST(PipelineState, FolderHashIsItsListingsIndependentOfCreationOrder) {
  TempDir d;
  write(d / "x/b.txt", "bbb");
  write(d / "x/sub/c.txt", "c");
  write(d / "x/a.txt", "aa");
  write(d / "y/sub/c.txt", "c");
  write(d / "y/a.txt", "aa");
  write(d / "y/b.txt", "bbb");
  std::vector<DirEntry> listing;
  const FileState x = hash_path(d.path, "x", &listing);
  const FileState y = hash_path(d.path, "y");
  EXPECT_TRUE(x.is_dir());
  EXPECT_EQ(x.sha256, y.sha256);
  EXPECT_EQ(x.sha256.substr(64), ".dir");
  EXPECT_EQ(x.nfiles, 3);
  EXPECT_EQ(x.size, 6u);
  ASSERT_EQ(listing.size(), 3u);
  EXPECT_EQ(listing[2].relpath, "sub/c.txt");
  const std::string json = listing_json(listing);
  EXPECT_EQ(json.substr(0, 13), "[{\"relpath\":\"");
  EXPECT_EQ(x.sha256, sha256_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(json.data()), json.size())) + ".dir");
  // A renamed file, changed bytes or an extra empty file each change the hash.
  fs::rename(d / "y/b.txt", d / "y/b2.txt");
  EXPECT_NE(hash_path(d.path, "y").sha256, x.sha256);
  fs::rename(d / "y/b2.txt", d / "y/b.txt");
  write(d / "y/a.txt", "ab");
  EXPECT_NE(hash_path(d.path, "y").sha256, x.sha256);
  write(d / "y/a.txt", "aa");
  EXPECT_EQ(hash_path(d.path, "y").sha256, x.sha256);
  write(d / "y/empty", "");
  const FileState y2 = hash_path(d.path, "y");
  EXPECT_NE(y2.sha256, x.sha256);
  EXPECT_EQ(y2.nfiles, 4);
  // An empty folder has a hash of its own, with no files.
  fs::create_directories(d / "z");
  EXPECT_EQ(hash_path(d.path, "z").nfiles, 0);
  EXPECT_TRUE(hash_path(d.path, "z").exists());
}

TEST(PipelineState, LockRoundTripsInDvcsFields) {
  TempDir d;
  LockFile lock;
  StageState s;
  s.cmd = {"sh -c 'echo \"a: b\" # not a comment > out/x.txt'"};
  s.deps = {{"data/raw.csv", std::string(64, 'a'), 12, -1}, {"../shared/data/mitdb", std::string(64, 'b') + ".dir", 90000, 146}};
  s.params = {{"params.yaml", "train.rounds", "51"}, {"params.yaml", "train.grid", "[1, 2]"}, {"other.yaml", "lr", "0.1"}};
  s.outs = {{"out/x.txt", std::string(64, 'c'), 4, -1}};
  lock.stages["train"] = s;
  StageState t;
  t.cmd = {"echo 1", "echo 2"};
  lock.stages["first"] = t;
  write_lock(d / "pipeline.lock", lock, {"first", "train", "gone"});
  EXPECT_FALSE(fs::exists(d / "pipeline.lock.tmp"));
  const std::string text = read(d / "pipeline.lock");
  EXPECT_EQ(text.substr(0, 14), "schema: '2.0'\n");
  EXPECT_LT(text.find("first:"), text.find("train:"));  // in the order given
  const YAML::Node doc = YAML::Load(text);
  const YAML::Node train = doc["stages"]["train"];
  EXPECT_EQ(train["cmd"].as<std::string>(), s.cmd[0]);
  EXPECT_EQ(train["deps"][1]["path"].as<std::string>(), "../shared/data/mitdb");
  EXPECT_EQ(train["deps"][1]["hash"].as<std::string>(), "sha256");
  EXPECT_EQ(train["deps"][1]["sha256"].as<std::string>(), std::string(64, 'b') + ".dir");
  EXPECT_EQ(train["deps"][1]["nfiles"].as<int>(), 146);
  EXPECT_FALSE(train["deps"][0]["nfiles"]);
  EXPECT_EQ(train["deps"][0]["size"].as<int>(), 12);
  EXPECT_EQ(train["params"]["params.yaml"]["train.rounds"].as<int>(), 51);
  EXPECT_EQ(train["params"]["params.yaml"]["train.grid"][1].as<int>(), 2);
  EXPECT_EQ(train["params"]["other.yaml"]["lr"].as<double>(), 0.1);
  EXPECT_EQ(doc["stages"]["first"]["cmd"].size(), 2u);

  const LockFile back = read_lock(d / "pipeline.lock");
  ASSERT_EQ(back.stages.size(), 2u);
  const StageState& b = back.stages.at("train");
  EXPECT_EQ(b.cmd, s.cmd);
  ASSERT_EQ(b.deps.size(), 2u);
  EXPECT_EQ(b.deps[1].nfiles, 146);
  EXPECT_EQ(b.deps[0].nfiles, -1);
  EXPECT_EQ(b.outs[0].sha256, s.outs[0].sha256);
  ASSERT_EQ(b.params.size(), 3u);
  EXPECT_EQ(b.params[1].value, "[1, 2]");
  EXPECT_EQ(b.params[2].file, "other.yaml");
  EXPECT_EQ(back.stages.at("first").cmd, t.cmd);
  EXPECT_TRUE(read_lock(d / "absent.lock").stages.empty());
}

TEST(PipelineState, LockErrorsNameTheFile) {
  TempDir d;
  write(d / "a.lock", "schema: '1.0'\nstages: {}\n");
  EXPECT_THROW(read_lock(d / "a.lock"), FormatError);
  // A dvc.lock as DVC writes it (md5) is refused, not misread.
  write(d / "b.lock", "schema: '2.0'\nstages:\n  s:\n    cmd: x\n    outs:\n    - path: y\n      hash: md5\n      md5: 0123\n");
  try {
    read_lock(d / "b.lock");
    FAIL() << "md5 accepted";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("md5"), std::string::npos) << e.what();
  }
  write(d / "c.lock", "schema: '2.0'\nstages:\n  s:\n    deps: []\n");
  try {
    read_lock(d / "c.lock");
    FAIL() << "entry without cmd accepted";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("c.lock:4: stage 's' has no cmd"), std::string::npos) << e.what();
  }
}

TEST(PipelineState, CacheStoresAndRestoresFilesAndFolders) {
  TempDir d;
  write(d / "m.txt", "model");
  write(d / "ds/a.npy", "AAAA");
  write(d / "ds/meta/manifest.json", "{}");
  const FileState f = hash_path(d.path, "m.txt");
  const FileState folder = hash_path(d.path, "ds");
  Cache cache(d / ".heartwave/cache");
  EXPECT_FALSE(cache.has(f));
  cache.store(d.path, f);
  cache.store(d.path, folder);
  EXPECT_TRUE(cache.has(f));
  EXPECT_TRUE(cache.has(folder));
  const fs::path obj = d / ".heartwave/cache" / f.sha256.substr(0, 2) / f.sha256.substr(2);
  EXPECT_EQ(cache.object_path(f.sha256), obj);
  EXPECT_EQ(read(obj), "model");
  EXPECT_TRUE(fs::exists(d / ".heartwave/cache" / folder.sha256.substr(0, 2) / folder.sha256.substr(2)));  // the listing, ".dir"

  fs::remove(d / "m.txt");
  write(d / "ds/extra.txt", "stale");
  write(d / "ds/a.npy", "half");
  cache.restore(d.path, f);
  cache.restore(d.path, folder);
  EXPECT_EQ(read(d / "m.txt"), "model");
  EXPECT_EQ(hash_path(d.path, "ds").sha256, folder.sha256);
  EXPECT_FALSE(fs::exists(d / "ds/extra.txt"));
  write(d / "m.txt", "edited");  // restored files are writable

  // A corrupt object is refused and dropped, so that the stage runs instead.
  fs::permissions(obj, fs::perms::owner_write, fs::perm_options::add);
  write(obj, "modem");
  EXPECT_THROW(cache.restore(d.path, f), ChecksumError);
  EXPECT_FALSE(fs::exists(obj));
  EXPECT_EQ(read(d / "m.txt"), "edited");
  EXPECT_FALSE(cache.has(f));
}

TEST(PipelineState, RunKeyChangesWithEveryInput) {
  StageState a;
  a.cmd = {"train"};
  a.deps = {{"d", std::string(64, '1'), 1, -1}};
  a.params = {{"params.yaml", "k", "1"}};
  const std::string key = run_key(a, {"out"});
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(run_key(a, {"out"}), key);
  StageState b = a;
  b.cmd = {"train "};
  EXPECT_NE(run_key(b, {"out"}), key);
  b = a;
  b.deps[0].sha256[0] = '2';
  EXPECT_NE(run_key(b, {"out"}), key);
  b = a;
  b.params[0].value = "2";
  EXPECT_NE(run_key(b, {"out"}), key);
  EXPECT_NE(run_key(a, {"out2"}), key);
  // Outputs' hashes are not inputs: the key is what the run cache looks up before running.
  b = a;
  b.outs = {{"out", std::string(64, 'f'), 1, -1}};
  EXPECT_EQ(run_key(b, {"out"}), key);
}
