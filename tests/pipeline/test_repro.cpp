// heartwave repro on tiny pipelines of sh commands: only changed stages run,
// earlier outputs come back from the cache without running, failures leave
// the lock as it was. Each command appends to a counter file (not an
// output), so the tests see whether it ran.
#include <gtest/gtest.h>

#include <thread>

#include "heartwave/core/error.hpp"
#include "pipeline_test_util.hpp"

using namespace heartwave;
using namespace heartwave::pipeline;
using hwtest::lines;
using hwtest::read;
using hwtest::repro;
using hwtest::statuses;
using hwtest::TempDir;
using hwtest::write;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// prepare: sorts in.txt; count: counts its lines. Both log their runs.
void two_stages(const TempDir& d) {
  write(d / "in.txt", "b\na\nc\n");
  write(d / "pipeline.yaml",
        "stages:\n"
        "  count:\n    cmd: wc -l < sorted.txt > count.txt; echo count >> runs.log\n    deps: [sorted.txt]\n    outs: [count.txt]\n"
        "  prepare:\n    cmd: sort in.txt > sorted.txt; echo prepare >> runs.log\n    deps: [in.txt]\n    outs: [sorted.txt]\n");
}

}  // namespace

TEST(PipelineRepro, SecondRunRunsNothingAndSaysSo) {
  TempDir d;
  two_stages(d);
  auto r = repro(d.path);
  ASSERT_TRUE(r.result.ok()) << r.log;
  EXPECT_EQ(r.result.ran, 2);
  EXPECT_EQ(read(d / "runs.log"), "prepare\ncount\n");  // upstream first
  EXPECT_EQ(read(d / "sorted.txt"), "a\nb\nc\n");
  EXPECT_TRUE(has(r.log, "Running stage 'prepare':"));
  EXPECT_TRUE(has(r.log, "Updating lock file 'pipeline.lock'"));
  const LockFile lock = read_lock(d / "pipeline.lock");
  ASSERT_EQ(lock.stages.count("count"), 1u);
  EXPECT_EQ(lock.stages.at("count").deps[0].sha256, hash_path(d.path, "sorted.txt").sha256);

  r = repro(d.path);
  ASSERT_TRUE(r.result.ok()) << r.log;
  EXPECT_EQ(r.result.ran, 0);
  EXPECT_EQ(r.result.skipped, 2);
  EXPECT_TRUE(has(r.log, "Stage 'prepare' didn't change, skipping")) << r.log;
  EXPECT_TRUE(has(r.log, "Stage 'count' didn't change, skipping")) << r.log;
  EXPECT_TRUE(has(r.log, "nothing to reproduce")) << r.log;
  EXPECT_EQ(lines(d / "runs.log"), 2);
  for (const auto& s : statuses(d.path)) EXPECT_TRUE(s.up_to_date) << s.name;
}

TEST(PipelineRepro, ChangesReachDownstreamOnlyWhenOutputsChange) {
  TempDir d;
  two_stages(d);
  ASSERT_TRUE(repro(d.path).result.ok());
  // Same lines in another order: prepare reruns, its output is the same, count is skipped.
  write(d / "in.txt", "c\nb\na\n");
  auto st = statuses(d.path);
  EXPECT_FALSE(st[0].up_to_date);
  ASSERT_EQ(st[0].changes.size(), 1u);
  EXPECT_EQ(describe(st[0].changes[0]), "changed deps: modified: in.txt");
  EXPECT_TRUE(st[1].up_to_date);
  EXPECT_EQ(st[1].upstream_stale, std::vector<std::string>{"prepare"});
  auto r = repro(d.path);
  EXPECT_EQ(r.result.ran, 1) << r.log;
  EXPECT_EQ(read(d / "runs.log"), "prepare\ncount\nprepare\n");
  // A new line: both run.
  write(d / "in.txt", "c\nb\na\nd\n");
  r = repro(d.path);
  EXPECT_EQ(r.result.ran, 2) << r.log;
  EXPECT_EQ(read(d / "count.txt").find('4') != std::string::npos, true);
  // Naming a stage reproduces it and what is upstream of it, nothing else.
  write(d / "in.txt", "z\n");
  ReproOptions only;
  only.targets = {"prepare"};
  r = repro(d.path, only);
  EXPECT_EQ(r.result.ran, 1) << r.log;
  EXPECT_FALSE(statuses(d.path)[1].up_to_date);
}

TEST(PipelineRepro, GoingBackToEarlierParamsRestoresOutputsWithoutRunning) {
  TempDir d;
  write(d / "pipeline.yaml",
        "stages:\n  train:\n"
        "    cmd: mkdir -p model && grep rounds params.yaml > model/rounds.txt && echo done > model/ok && echo run >> counter.txt\n"
        "    params: [train.rounds]\n    outs: [model]\n");
  write(d / "params.yaml", "train:\n  rounds: 10  # A\n");
  ASSERT_TRUE(repro(d.path).result.ok());
  EXPECT_EQ(lines(d / "counter.txt"), 1);
  const std::string model_a = hash_path(d.path, "model").sha256;

  write(d / "params.yaml", "train:\n  rounds: 20  # B\n");
  auto st = statuses(d.path);
  ASSERT_EQ(st[0].changes.size(), 1u);
  EXPECT_EQ(describe(st[0].changes[0]), "changed params: modified: train.rounds (10 -> 20)");
  auto r = repro(d.path);
  ASSERT_TRUE(r.result.ok()) << r.log;
  EXPECT_EQ(r.result.ran, 1);
  EXPECT_EQ(lines(d / "counter.txt"), 2);
  EXPECT_NE(hash_path(d.path, "model").sha256, model_a);

  // Back to A: the outputs come from the cache, the command does not run.
  write(d / "params.yaml", "train:\n  rounds: 10  # A again\n");
  r = repro(d.path);
  ASSERT_TRUE(r.result.ok()) << r.log;
  EXPECT_EQ(r.result.ran, 0);
  EXPECT_EQ(r.result.restored, 1);
  EXPECT_TRUE(has(r.log, "Stage 'train' is cached - skipping run, checking out outputs")) << r.log;
  EXPECT_EQ(lines(d / "counter.txt"), 2);
  EXPECT_EQ(hash_path(d.path, "model").sha256, model_a);
  EXPECT_EQ(read(d / "model/rounds.txt"), "  rounds: 10  # A\n");
  EXPECT_TRUE(statuses(d.path)[0].up_to_date);
  EXPECT_EQ(read_lock(d / "pipeline.lock").stages.at("train").params[0].value, "10");
  // --force runs it all the same.
  ReproOptions force;
  force.force = true;
  r = repro(d.path, force);
  EXPECT_EQ(r.result.ran, 1) << r.log;
  EXPECT_EQ(lines(d / "counter.txt"), 3);
}

TEST(PipelineRepro, TemplatedCommandsRecordTheirValues) {
  TempDir d;
  write(d / "params.yaml", "n: 3\n");
  write(d / "pipeline.yaml", "stages:\n  s:\n    cmd: seq ${n} > out.txt; echo run >> counter.txt\n    outs: [out.txt]\n");
  ASSERT_TRUE(repro(d.path).result.ok());
  EXPECT_EQ(read(d / "out.txt"), "1\n2\n3\n");
  const LockFile lock = read_lock(d / "pipeline.lock");
  const StageState& s = lock.stages.at("s");
  EXPECT_EQ(s.cmd[0], "seq 3 > out.txt; echo run >> counter.txt");
  ASSERT_EQ(s.params.size(), 1u);
  EXPECT_EQ(s.params[0].key, "n");
  write(d / "params.yaml", "n: 2\n");
  const auto st = statuses(d.path);
  ASSERT_EQ(st[0].changes.size(), 2u);
  EXPECT_EQ(st[0].changes[0].kind, "cmd");
  EXPECT_EQ(st[0].changes[1].kind, "param");
  ASSERT_TRUE(repro(d.path).result.ok());
  EXPECT_EQ(read(d / "out.txt"), "1\n2\n");
}

TEST(PipelineRepro, ChangedOrDeletedOutputsAndCommandsAreNoticed) {
  TempDir d;
  write(d / "pipeline.yaml", "stages:\n  s:\n    cmd: echo one > out.txt; echo run >> counter.txt\n    outs: [out.txt]\n");
  ASSERT_TRUE(repro(d.path).result.ok());
  write(d / "out.txt", "edited\n");
  auto st = statuses(d.path);
  ASSERT_EQ(st[0].changes.size(), 1u);
  EXPECT_EQ(describe(st[0].changes[0]), "changed outs: modified: out.txt");
  fs::remove(d / "out.txt");
  st = statuses(d.path);
  EXPECT_EQ(describe(st[0].changes[0]), "changed outs: deleted: out.txt");
  // The recorded output is in the cache: it is put back, not rebuilt.
  auto r = repro(d.path);
  EXPECT_EQ(r.result.restored, 1) << r.log;
  EXPECT_EQ(read(d / "out.txt"), "one\n");
  EXPECT_EQ(lines(d / "counter.txt"), 1);
  // Another command runs.
  write(d / "pipeline.yaml", "stages:\n  s:\n    cmd: echo two > out.txt; echo run >> counter.txt\n    outs: [out.txt]\n");
  st = statuses(d.path);
  ASSERT_EQ(st[0].changes.size(), 1u);
  EXPECT_EQ(describe(st[0].changes[0]), "changed command");
  r = repro(d.path);
  EXPECT_EQ(r.result.ran, 1) << r.log;
  EXPECT_EQ(read(d / "out.txt"), "two\n");
  // A new dependency is a change too.
  write(d / "extra.txt", "x");
  write(d / "pipeline.yaml", "stages:\n  s:\n    cmd: echo two > out.txt; echo run >> counter.txt\n    deps: [extra.txt]\n    outs: [out.txt]\n");
  st = statuses(d.path);
  ASSERT_EQ(st[0].changes.size(), 1u);
  EXPECT_EQ(describe(st[0].changes[0]), "changed deps: new: extra.txt");
}

TEST(PipelineRepro, DryRunRunsAndWritesNothing) {
  TempDir d;
  two_stages(d);
  ReproOptions dry;
  dry.dry_run = true;
  auto r = repro(d.path, dry);
  ASSERT_TRUE(r.result.ok()) << r.log;
  EXPECT_EQ(r.result.would_run, (std::vector<std::string>{"prepare", "count"}));
  EXPECT_TRUE(has(r.log, "Would run stage 'count' (after 'prepare')")) << r.log;
  EXPECT_FALSE(fs::exists(d / "runs.log"));
  EXPECT_FALSE(fs::exists(d / "pipeline.lock"));
  EXPECT_FALSE(fs::exists(d / ".heartwave"));
  ASSERT_TRUE(repro(d.path).result.ok());
  r = repro(d.path, dry);
  EXPECT_TRUE(r.result.would_run.empty());
  EXPECT_TRUE(has(r.log, "nothing to reproduce")) << r.log;
}

TEST(PipelineRepro, FailedCommandLeavesTheLockAndIsStale) {
  TempDir d;
  write(d / "in.txt", "ok 1\n");
  write(d / "pipeline.yaml",
        "stages:\n  first:\n    cmd: cp in.txt a.txt\n    deps: [in.txt]\n    outs: [a.txt]\n"
        "  s:\n    cmd: cat a.txt > out.txt; echo run >> counter.txt; grep -q ok a.txt\n    deps: [a.txt]\n    outs: [out.txt]\n");
  ASSERT_TRUE(repro(d.path).result.ok());
  const LockFile before = read_lock(d / "pipeline.lock");
  write(d / "in.txt", "bad\n");
  auto r = repro(d.path);
  EXPECT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.failed_stage, "s");
  EXPECT_EQ(r.result.error, "command exited with status 1");
  EXPECT_TRUE(has(r.log, "ERROR: failed to reproduce 's'")) << r.log;
  // The upstream stage's new entry was written; the failed one's is as it was.
  const LockFile after = read_lock(d / "pipeline.lock");
  EXPECT_NE(after.stages.at("first").outs[0].sha256, before.stages.at("first").outs[0].sha256);
  EXPECT_EQ(after.stages.at("s").outs[0].sha256, before.stages.at("s").outs[0].sha256);
  EXPECT_EQ(after.stages.at("s").deps[0].sha256, before.stages.at("s").deps[0].sha256);
  auto st = statuses(d.path);
  EXPECT_TRUE(st[0].up_to_date);
  EXPECT_FALSE(st[1].up_to_date);
  EXPECT_EQ(describe(st[1].changes[0]), "changed deps: modified: a.txt");
  EXPECT_EQ(describe(st[1].changes[1]), "changed outs: modified: out.txt");
  write(d / "in.txt", "ok 2\n");
  r = repro(d.path);
  ASSERT_TRUE(r.result.ok()) << r.log;
  EXPECT_EQ(read(d / "out.txt"), "ok 2\n");
  EXPECT_TRUE(statuses(d.path)[1].up_to_date);
}

TEST(PipelineRepro, StaleOutputsAreDeletedBeforeARun) {
  TempDir d;
  write(d / "pipeline.yaml", "stages:\n  s:\n    cmd: mkdir -p ds && date +%N > ds/a.txt\n    outs: [ds]\n    always_changed: true\n");
  write(d / "ds/left-by-a-killed-run.tmp", "half");
  ASSERT_TRUE(repro(d.path).result.ok());
  EXPECT_FALSE(fs::exists(d / "ds/left-by-a-killed-run.tmp"));
  EXPECT_EQ(hash_path(d.path, "ds").nfiles, 1);
  // always_changed: never up to date, never restored from the run cache.
  EXPECT_FALSE(statuses(d.path)[0].up_to_date);
  EXPECT_EQ(repro(d.path).result.ran, 1);
}

TEST(PipelineRepro, MissingInputsAndOutputsAreErrors) {
  TempDir d;
  write(d / "pipeline.yaml", "stages:\n  s:\n    cmd: 'true'\n    deps: [absent.txt]\n");
  try {
    repro(d.path);
    FAIL() << "missing dependency accepted";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("stage 's': dependency 'absent.txt' does not exist"), std::string::npos) << e.what();
  }
  write(d / "pipeline.yaml", "stages:\n  s:\n    cmd: 'true'\n    params: [train.rounds]\n");
  write(d / "params.yaml", "train: {}\n");
  EXPECT_THROW(repro(d.path), ParseError);
  EXPECT_FALSE(statuses(d.path)[0].up_to_date);  // status says so instead of failing
  EXPECT_EQ(statuses(d.path)[0].changes[0].kind, "lock");
  write(d / "pipeline.yaml", "stages:\n  s:\n    cmd: 'true'\n    outs: [never-written.txt]\n");
  const auto r = repro(d.path);
  EXPECT_EQ(r.result.failed_stage, "s");
  EXPECT_EQ(r.result.error, "its command did not write the output 'never-written.txt'");
  EXPECT_FALSE(fs::exists(d / "pipeline.lock"));
}

TEST(PipelineRepro, OneReproAtATime) {
  TempDir d;
  write(d / "pipeline.yaml", "stages:\n  slow:\n    cmd: touch started; sleep 1; echo x > out.txt\n    outs: [out.txt]\n");
  std::thread first([&] { repro(d.path); });
  ASSERT_TRUE(hwtest::wait_for([&] { return fs::exists(d / "started"); }, 10));
  EXPECT_THROW(repro(d.path), InvalidArgument);
  first.join();
  EXPECT_EQ(read(d / "out.txt"), "x\n");
  EXPECT_EQ(repro(d.path).result.skipped, 1);
}
