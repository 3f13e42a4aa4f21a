// The tracking store: a run's parameters, metric curves, last values, tags
// and artifacts; filters and sorting; several processes logging at once
// with nothing lost; a process killed mid-run ends as failed on the next
// open.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string_view>

#include "heartwave/core/error.hpp"
#include "heartwave/io/sha256.hpp"
#include "heartwave/track/store.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::TempDir;

TEST(TrackingStore, RecordsARunWithItsCurvesAndArtifacts) {
  TempDir dir;
  TrackingStore s(dir / "t.db");
  const std::string id = s.start_run("train", "heartwave train --model xgb", "abc123", true);
  EXPECT_EQ(id.size(), 32u);
  s.log_params(id, {{"model", "xgb"}, {"rounds", "300"}});
  std::vector<MetricPoint> curve;
  for (int i = 0; i < 50; ++i) curve.push_back({"train_loss", 1.0 / (i + 1), i, 0});
  curve.push_back({"accuracy", 0.97, 0, 0});
  s.log_metrics(id, curve);
  s.log_metrics(id, {{"train_loss", 99.0, 10, 0}});  // an older step does not replace the last value
  s.set_tags(id, {{"note", "first"}});
  const std::string content = "model bytes";
  { std::ofstream(dir / "model.hwm") << content; }
  s.log_artifact(id, dir / "model.hwm", "model");
  EXPECT_THROW(s.log_artifact(id, dir / "missing", "model"), IoError);
  EXPECT_EQ(s.run(id)->status, RunStatus::running);
  s.end_run(id, RunStatus::finished);
  const auto r = s.run(id.substr(0, 8));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RunStatus::finished);
  EXPECT_GE(r->end_ms, r->start_ms);
  EXPECT_EQ(r->git_commit, "abc123");
  EXPECT_TRUE(r->git_dirty);
  EXPECT_EQ(r->command, "heartwave train --model xgb");
  EXPECT_EQ(r->params.at("rounds"), "300");
  EXPECT_DOUBLE_EQ(r->metrics.at("train_loss"), 1.0 / 50);
  EXPECT_DOUBLE_EQ(r->metrics.at("accuracy"), 0.97);
  EXPECT_EQ(r->tags.at("note"), "first");
  ASSERT_EQ(r->artifacts.size(), 1u);
  EXPECT_EQ(r->artifacts[0].size, static_cast<std::int64_t>(content.size()));
  EXPECT_EQ(r->artifacts[0].sha256,
            sha256_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(content.data()), content.size())));
  const auto h = s.metric_history(id, "train_loss");
  ASSERT_EQ(h.size(), 51u);
  EXPECT_EQ(h.front().step, 0);
  EXPECT_DOUBLE_EQ(h.front().value, 1.0);
  EXPECT_FALSE(s.run("ffffffffffff"));
}

TEST(TrackingStore, FiltersAndSorts) {
  TempDir dir;
  TrackingStore s(dir / "t.db");
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(s.start_run(i % 2 ? "cv" : "train", "cmd", "c", false));
    s.log_params(ids.back(), {{"seed", std::to_string(i)}});
    s.log_metrics(ids.back(), {{"accuracy", 0.9 + 0.01 * i, 0, 0}});
    s.end_run(ids.back(), i == 5 ? RunStatus::failed : RunStatus::finished);
  }
  RunQuery q;
  q.sort = "accuracy";
  auto all = s.runs(q);
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all.front().id, ids[5]);
  q.sort = "-accuracy";
  EXPECT_EQ(s.runs(q).front().id, ids[0]);
  q.experiment = "cv";
  EXPECT_EQ(s.runs(q).size(), 3u);
  RunQuery f;
  f.filters = {parse_run_filter("accuracy>0.925"), parse_run_filter("status=finished")};
  const auto kept = s.runs(f);
  ASSERT_EQ(kept.size(), 2u);  // 0.93 and 0.94 (0.95 failed)
  RunQuery p;
  p.filters = {parse_run_filter("params.seed = 3")};
  ASSERT_EQ(s.runs(p).size(), 1u);
  EXPECT_EQ(s.runs(p)[0].id, ids[3]);
  p.limit = 1;
  p.filters.clear();
  EXPECT_EQ(s.runs(p).size(), 1u);
  EXPECT_THROW(parse_run_filter("accuracy"), ParseError);
  EXPECT_THROW(parse_run_filter(">3"), ParseError);
  EXPECT_THROW(s.start_run("", "cmd", "", false), InvalidArgument);
}

// Four processes, each with its own connection, log 25 runs of 40 points
// at once: every run and point is there.
TEST(TrackingStore, SeveralProcessesLogAtOnce) {
  TempDir dir;
  { TrackingStore init(dir / "t.db"); }
  std::vector<pid_t> kids;
  for (int k = 0; k < 4; ++k) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        TrackingStore s(dir / "t.db");
        for (int i = 0; i < 25; ++i) {
          const auto id = s.start_run("load", "child " + std::to_string(k), "", false);
          std::vector<MetricPoint> pts;
          for (int j = 0; j < 40; ++j) pts.push_back({"m", static_cast<double>(j), j, 0});
          s.log_metrics(id, pts);
          s.end_run(id, RunStatus::finished);
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "child %d: %s\n", k, e.what());
        code = 1;
      }
      _exit(code);
    }
    kids.push_back(pid);
  }
  for (pid_t p : kids) {
    int st = 0;
    waitpid(p, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  TrackingStore s(dir / "t.db");
  const auto runs = s.runs({});
  ASSERT_EQ(runs.size(), 100u);
  for (const auto& r : runs) {
    EXPECT_EQ(r.status, RunStatus::finished);
    EXPECT_EQ(s.metric_history(r.id, "m").size(), 40u);
  }
}

// A process killed while its run is open: the next open ends the run as
// failed; a run of a live process stays running.
TEST(TrackingStore, AKilledRunEndsAsFailed) {
  TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    TrackingStore s(dir / "t.db");
    const auto id = s.start_run("train", "doomed", "", false);
    s.log_metrics(id, {{"loss", 1.0, 0, 0}});
    (void)!write(fds[1], "x", 1);
    pause();  // until killed
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  TrackingStore live(dir / "t.db");
  ASSERT_EQ(live.runs({}).size(), 1u);
  EXPECT_EQ(live.runs({})[0].status, RunStatus::running);  // its process is alive
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  TrackingStore after(dir / "t.db");
  const auto runs = after.runs({});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, RunStatus::failed);
  EXPECT_GT(runs[0].end_ms, 0);
  EXPECT_NE(runs[0].tags.at("heartwave.end").find("without closing"), std::string::npos);
  EXPECT_DOUBLE_EQ(runs[0].metrics.at("loss"), 1.0);
  close(fds[0]);
  close(fds[1]);
}
