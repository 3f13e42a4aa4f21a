// The tracking store, on both its databases (a SQLite file, and a real
// PostgreSQL server started in a temporary folder): a run's parameters,
// metric curves, last values, tags and artifacts; filters and sorting;
// imported runs; several processes logging at once with nothing lost; a
// process killed mid-run ends as failed on the next open.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <string_view>
#include <thread>

#include "heartwave/core/error.hpp"
#include "heartwave/io/sha256.hpp"
#include "heartwave/track/store.hpp"
#include "pg_server.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::PgServer;
using heartwave::test::TempDir;

namespace {

// Each test on a new SQLite file or a new PostgreSQL database.
class Store : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir dir;
  std::string where;
  void SetUp() override {
    if (GetParam() == "sqlite") {
      where = (dir / "t.db").string();
    } else {
      auto& pg = PgServer::shared();
      ASSERT_TRUE(pg.ok()) << pg.error();
      where = pg.new_database();
    }
  }
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Backends, Store, ::testing::Values("sqlite", "postgresql"), [](const auto& i) { return i.param; });

TEST_P(Store, RecordsARunWithItsCurvesAndArtifacts) {
  TrackingStore s(where);
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

TEST_P(Store, FiltersAndSorts) {
  TrackingStore s(where);
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
TEST_P(Store, SeveralProcessesLogAtOnce) {
  { TrackingStore init(where); }
  std::vector<pid_t> kids;
  for (int k = 0; k < 4; ++k) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        TrackingStore s(where);
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
  TrackingStore s(where);
  const auto runs = s.runs({});
  ASSERT_EQ(runs.size(), 100u);
  for (const auto& r : runs) {
    EXPECT_EQ(r.status, RunStatus::finished);
    EXPECT_EQ(s.metric_history(r.id, "m").size(), 40u);
  }
}

// A process killed while its run is open: the next open ends the run as
// failed; a run of a live process stays running.
TEST_P(Store, AKilledRunEndsAsFailed) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    TrackingStore s(where);
    const auto id = s.start_run("train", "doomed", "", false);
    s.log_metrics(id, {{"loss", 1.0, 0, 0}});
    (void)!write(fds[1], "x", 1);
    pause();  // until killed
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  TrackingStore live(where);
  ASSERT_EQ(live.runs({}).size(), 1u);
  EXPECT_EQ(live.runs({})[0].status, RunStatus::running);  // its process is alive
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  // PostgreSQL frees a dead client's locks once its server process has seen
  // the connection close, which can take a moment after the kill.
  std::vector<RunRecord> runs;
  for (int attempt = 0; attempt < 50; ++attempt) {
    TrackingStore after(where);
    runs = after.runs({});
    if (runs.size() != 1 || runs[0].status != RunStatus::running) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, RunStatus::failed);
  EXPECT_GT(runs[0].end_ms, 0);
  EXPECT_NE(runs[0].tags.at("heartwave.end").find("without closing"), std::string::npos);
  EXPECT_DOUBLE_EQ(runs[0].metrics.at("loss"), 1.0);
  close(fds[0]);
  close(fds[1]);
}

// A run from elsewhere keeps its id, times, status, curves and artifacts;
// importing it again changes nothing. Points of equal step keep their order.
TEST_P(Store, ImportsRunsAndSkipsThoseAlreadyThere) {
  TrackingStore s(where);
  RunRecord r;
  r.id = "0123456789abcdef0123456789abcdef";
  r.experiment = "tune";
  r.status = RunStatus::finished;
  r.start_ms = 1764700000000;
  r.end_ms = 1764700123456;
  r.git_commit = "feedbeef";
  r.command = "heartwave tune";
  r.host = "elsewhere";
  r.pid = 42;
  r.params = {{"eta", "0.1"}, {"max_depth", "6"}};
  r.tags = {{"trial", "7"}};
  r.artifacts = {{"/data/model.hwm", std::string(64, 'a'), "model", 1234}};
  std::vector<MetricPoint> pts = {{"loss", 3.0, 0, 1764700000001}, {"loss", 2.0, 1, 1764700000002}, {"loss", 1.5, 1, 1764700000003},
                                  {"accuracy", 0.96, 0, 1764700000004}, {"loss", NAN, 2, 1764700000005}};
  EXPECT_TRUE(s.import_run(r, pts));
  EXPECT_FALSE(s.import_run(r, pts));
  const auto back = s.run("0123");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->start_ms, r.start_ms);
  EXPECT_EQ(back->end_ms, r.end_ms);
  EXPECT_EQ(back->status, RunStatus::finished);
  EXPECT_EQ(back->host, "elsewhere");
  EXPECT_EQ(back->pid, 42);
  EXPECT_EQ(back->params, r.params);
  EXPECT_EQ(back->tags, r.tags);
  ASSERT_EQ(back->artifacts.size(), 1u);
  EXPECT_EQ(back->artifacts[0].size, 1234);
  EXPECT_EQ(back->artifacts[0].kind, "model");
  EXPECT_DOUBLE_EQ(back->metrics.at("loss"), 1.5);  // the last of the highest step; NaN not stored
  const auto h = s.metric_history(r.id, "loss");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_DOUBLE_EQ(h[1].value, 2.0);
  EXPECT_DOUBLE_EQ(h[2].value, 1.5);
  EXPECT_EQ(h[2].time_ms, 1764700000003);
  EXPECT_EQ(s.metric_history(r.id, "").size(), 4u);
  EXPECT_EQ(s.experiments(), std::vector<std::string>{"tune"});
  EXPECT_EQ(s.runs({}).size(), 1u);
  // The same values through a new connection: nothing was only cached.
  TrackingStore again(where);
  EXPECT_DOUBLE_EQ(again.runs({})[0].metrics.at("accuracy"), 0.96);
}

// On PostgreSQL a running run's owner is known by its connection, on any
// machine: a run left "running" by a process of another host, whose
// connection is gone, ends as failed; SQLite cannot tell and leaves it.
TEST(StorePostgres, ARunOfAnotherMachineWithoutItsConnectionEndsFailed) {
  auto& pg = PgServer::shared();
  ASSERT_TRUE(pg.ok()) << pg.error();
  TempDir dir;
  RunRecord r;
  r.id = "aaaabbbbccccdddd";
  r.experiment = "tune";
  r.status = RunStatus::running;
  r.start_ms = 1764700000000;
  r.host = "another-machine";
  r.pid = 1;
  const std::string url = pg.new_database();
  {
    TrackingStore s(url);
    ASSERT_TRUE(s.import_run(r, {}));
  }
  {
    TrackingStore s((dir / "t.db").string());
    ASSERT_TRUE(s.import_run(r, {}));
  }
  EXPECT_EQ(TrackingStore(url).run(r.id)->status, RunStatus::failed);
  EXPECT_EQ(TrackingStore(dir / "t.db").run(r.id)->status, RunStatus::running);
}

TEST(StorePostgres, AServerThatIsNotThereIsATypedErrorWithoutThePassword) {
  TempDir dir;
  const std::string url = "postgresql://someone:s3cret@/nodb?host=" + (dir / "nosocket").string() + "&connect_timeout=2";
  try {
    TrackingStore s(url);
    FAIL() << "opened a store without a server";
  } catch (const IoError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("cannot connect"), std::string::npos) << m;
    EXPECT_NE(m.find("someone:***@"), std::string::npos) << m;
    EXPECT_EQ(m.find("s3cret"), std::string::npos) << m;
  }
  EXPECT_TRUE(TrackingStore::is_url("postgres://h/db"));
  EXPECT_FALSE(TrackingStore::is_url("out/tracking.db"));
}
