// Crash safety: a stage killed after writing half its output is never taken
// as done. Its command writes half, then sleeps while the file `slow`
// exists; the test kills it there (the command's process group, or the
// heartwave process running it), then checks that status says stale and that
// a later repro reruns it to complete outputs.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "pipeline_test_util.hpp"

using namespace heartwave::pipeline;
using hwtest::read;
using hwtest::repro;
using hwtest::statuses;
using hwtest::TempDir;
using hwtest::wait_for;
using hwtest::write;
namespace fs = std::filesystem;

extern char** environ;

namespace {

void half_then_sleep(const TempDir& d) {
  write(d / "in.txt", "input 1\n");
  write(d / "pipeline.yaml",
        "stages:\n  write:\n"
        "    cmd: echo $$ > pid.txt; cat in.txt > out.txt; echo 'first half' >> out.txt;"
        " if [ -f slow ]; then sleep 30; fi; echo 'second half' >> out.txt\n"
        "    deps: [in.txt]\n    outs: [out.txt]\n");
}

bool partial_written(const TempDir& d) {
  return read(d / "out.txt").find("first half") != std::string::npos && !read(d / "pid.txt").empty();
}

pid_t stage_pid(const TempDir& d) { return static_cast<pid_t>(std::stol(read(d / "pid.txt"))); }

// `heartwave repro --pipeline DIR/pipeline.yaml` in a process group of its own, output to DIR/repro.log.
pid_t spawn_repro(const TempDir& d) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const std::string log = (d / "repro.log").string();
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  const std::string file = (d / "pipeline.yaml").string();
  const char* argv[] = {HEARTWAVE_BINARY, "repro", "--pipeline", file.c_str(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, HEARTWAVE_BINARY, &fa, &attr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

nlohmann::json status_json(const TempDir& d) {
  std::string out;
  EXPECT_EQ(hwtest::heartwave("status --json --pipeline " + (d / "pipeline.yaml").string(), out), 0) << out;
  return nlohmann::json::parse(out);
}

// After a kill: stale, then a rerun (no longer slow) completes the output.
void expect_stale_then_rerun_completes(const TempDir& d, const std::string& why) {
  auto st = statuses(d.path);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_FALSE(st[0].up_to_date);
  ASSERT_FALSE(st[0].changes.empty());
  EXPECT_EQ(st[0].changes[0].kind, why);
  const nlohmann::json j = status_json(d);
  EXPECT_EQ(j["stages"][0]["state"], "stale");
  EXPECT_EQ(j["up_to_date"], false);

  fs::remove(d / "slow");
  std::string out;
  EXPECT_EQ(hwtest::heartwave("repro --pipeline " + (d / "pipeline.yaml").string(), out), 0) << out;
  EXPECT_NE(out.find("Running stage 'write'"), std::string::npos) << out;
  const std::string done = read(d / "out.txt");
  EXPECT_EQ(done.substr(done.size() - 23), "first half\nsecond half\n") << done;
  EXPECT_EQ(read_lock(d / "pipeline.lock").stages.at("write").outs[0].sha256, hash_path(d.path, "out.txt").sha256);
  EXPECT_EQ(status_json(d)["up_to_date"], true);
}

}  // namespace

TEST(PipelineCrash, KilledCommandLeavesItsLockEntryAndReruns) {
  TempDir d;
  half_then_sleep(d);
  ASSERT_TRUE(repro(d.path).result.ok());  // a complete first run: the lock has an entry
  const LockFile before = read_lock(d / "pipeline.lock");
  write(d / "in.txt", "input 2\n");
  write(d / "slow", "");
  fs::remove(d / "pid.txt");
  std::thread killer([&] {
    if (wait_for([&] { return partial_written(d); }, 20)) ::kill(-stage_pid(d), SIGKILL);
  });
  const auto r = repro(d.path);
  killer.join();
  EXPECT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.failed_stage, "write");
  EXPECT_EQ(r.result.error, "killed by signal 9 (Killed)");
  EXPECT_EQ(read(d / "out.txt"), "input 2\nfirst half\n");
  // The entry is the complete first run's: the half output does not match it.
  const LockFile after = read_lock(d / "pipeline.lock");
  EXPECT_EQ(after.stages.at("write").outs[0].sha256, before.stages.at("write").outs[0].sha256);
  const auto st = statuses(d.path);
  ASSERT_EQ(st[0].changes.size(), 2u);
  EXPECT_EQ(describe(st[0].changes[1]), "changed outs: modified: out.txt");
  expect_stale_then_rerun_completes(d, "dep");
  EXPECT_EQ(read(d / "out.txt"), "input 2\nfirst half\nsecond half\n");
}

TEST(PipelineCrash, SigtermToHeartwaveStopsTheStageAndRecordsNothing) {
  TempDir d;
  half_then_sleep(d);
  write(d / "slow", "");
  const pid_t hw = spawn_repro(d);
  ASSERT_GT(hw, 0);
  ASSERT_TRUE(wait_for([&] { return partial_written(d); }, 20)) << read(d / "repro.log");
  ::kill(-hw, SIGTERM);
  int st = 0;
  ASSERT_EQ(::waitpid(hw, &st, 0), hw);
  ASSERT_TRUE(WIFEXITED(st)) << read(d / "repro.log");
  EXPECT_EQ(WEXITSTATUS(st), 128 + SIGTERM);
  EXPECT_NE(read(d / "repro.log").find("interrupted by signal 15"), std::string::npos) << read(d / "repro.log");
  // The command's shell was stopped (and reaped: heartwave waited for it), never writing its second half.
  EXPECT_NE(::kill(stage_pid(d), 0), 0);
  ::kill(-stage_pid(d), SIGKILL);  // nothing should be left in its group; in case
  EXPECT_EQ(read(d / "out.txt"), "input 1\nfirst half\n");
  EXPECT_FALSE(fs::exists(d / "pipeline.lock"));
  expect_stale_then_rerun_completes(d, "lock");
}

TEST(PipelineCrash, SigkillOfHeartwaveLeavesNothingTakenAsValid) {
  TempDir d;
  half_then_sleep(d);
  write(d / "slow", "");
  const pid_t hw = spawn_repro(d);
  ASSERT_GT(hw, 0);
  ASSERT_TRUE(wait_for([&] { return partial_written(d); }, 20)) << read(d / "repro.log");
  ::kill(-hw, SIGKILL);
  int st = 0;
  ASSERT_EQ(::waitpid(hw, &st, 0), hw);
  EXPECT_TRUE(WIFSIGNALED(st));
  // The shell dies with heartwave (its parent-death signal); its sleep is cleaned up here.
  ::kill(-stage_pid(d), SIGKILL);
  EXPECT_EQ(read(d / "out.txt"), "input 1\nfirst half\n");
  EXPECT_FALSE(fs::exists(d / "pipeline.lock"));
  expect_stale_then_rerun_completes(d, "lock");
}
