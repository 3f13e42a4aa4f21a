// Tracking through the real binary: analyze runs recorded (finished and
// failed, with their parameters and metrics), --no-track, and
// `heartwave runs list / show / compare` as tables and JSON; runs moved
// between stores (show --json, import, copy to a real PostgreSQL) and the
// HTML report.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "run_cli.hpp"
#include "track/pg_server.hpp"
#include "support.hpp"

using heartwave::test::TempDir;
using nlohmann::json;

TEST(CliRuns, AnalyzeIsTrackedAndRunsListShowCompare) {
  TempDir dir;
  const std::string db = (dir / "t.db").string();
  const std::string rec = (heartwave::test::mitdb_dir() / "100").string();
  auto run = [&](const std::string& args) { return heartwave::test::run_cli(args); };
  ASSERT_EQ(run("analyze " + rec + " --no-summary --out " + (dir / "a").string() + " --tracking " + db).status, 0);
  EXPECT_NE(run("analyze " + (dir / "missing").string() + " --out " + (dir / "b").string() + " --tracking " + db).status, 0);
  ASSERT_EQ(run("analyze " + rec + " --no-summary --out " + (dir / "c").string() + " --tracking " + db + " --no-track").status, 0);
  const auto list = run("runs list --json --tracking " + db);
  ASSERT_EQ(list.status, 0) << list.out;
  const json runs = json::parse(list.out);
  ASSERT_EQ(runs.size(), 2u) << "--no-track must not record a run";
  EXPECT_EQ(runs[0]["status"], "failed");  // newest first
  EXPECT_EQ(runs[1]["status"], "finished");
  EXPECT_EQ(runs[1]["experiment"], "analyze");
  EXPECT_EQ(runs[1]["params"]["out"], (dir / "a").string());
  EXPECT_FALSE(runs[1]["git_commit"].get<std::string>().empty());
  EXPECT_NE(runs[1]["command"].get<std::string>().find("analyze"), std::string::npos);
  const std::string a = runs[1]["id"], b = runs[0]["id"];
  const auto show = run("runs show " + a.substr(0, 10) + " --tracking " + db);
  ASSERT_EQ(show.status, 0) << show.out;
  EXPECT_NE(show.out.find("parameters"), std::string::npos);
  const auto shown = json::parse(run("runs show " + a + " --json --tracking " + db).out);
  EXPECT_EQ(shown["run"]["id"], a);
  EXPECT_TRUE(shown["curves"].is_object());
  const auto cmp = run("runs compare " + a + " " + b + " --json --tracking " + db);
  ASSERT_EQ(cmp.status, 0) << cmp.out;
  const json c = json::parse(cmp.out);
  EXPECT_TRUE(c["params"]["out"]["differ"].get<bool>());
  EXPECT_FALSE(c["params"]["threads"]["differ"].get<bool>());
  const auto table = run("runs compare " + a + " " + b + " --tracking " + db);
  EXPECT_NE(table.out.find("* out"), std::string::npos) << table.out;
  const auto filtered = json::parse(run("runs list --json --filter status=finished --tracking " + db).out);
  ASSERT_EQ(filtered.size(), 1u);
  EXPECT_EQ(filtered[0]["id"], a);
  const auto bad = run("runs list --filter accuracy --tracking " + db);
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.out.find("FIELD OP VALUE"), std::string::npos) << bad.out;
  EXPECT_NE(run("runs show ffffffff --tracking " + db).status, 0);
}

TEST(CliRuns, RunsMoveBetweenStoresAndIntoAReport) {
  auto& pg = heartwave::test::PgServer::shared();
  ASSERT_TRUE(pg.ok()) << pg.error();
  TempDir dir;
  const std::string db = (dir / "t.db").string(), file = (dir / "runs.json").string();
  auto run = [&](const std::string& args) { return heartwave::test::run_cli(args); };
  {
    json runs = json::array();
    for (int i = 0; i < 3; ++i) {
      json curve = json::array();
      for (int step = 0; step < 20; ++step) curve.push_back({step, 1.0 / (step + 1 + i)});
      runs.push_back({{"run", {{"id", "abcd000" + std::to_string(i)}, {"experiment", i ? "tune" : "train"}, {"status", "finished"},
                               {"start_ms", 1764700000000 + i}, {"params", {{"eta", std::to_string(0.1 * (i + 1))}, {"seed", "1"}}},
                               {"metrics", {{"accuracy", 0.9 + 0.01 * i}}}}},
                      {"curves", {{"valid.mlogloss", curve}}}});
    }
    std::ofstream(file) << json{{"runs", runs}}.dump();
  }
  auto imported = run("runs import " + file + " --tracking " + db);
  ASSERT_EQ(imported.status, 0) << imported.out;
  EXPECT_NE(imported.out.find("imported 3 run(s)"), std::string::npos) << imported.out;
  EXPECT_NE(run("runs import " + file + " --tracking " + db).out.find("imported 0 run(s)"), std::string::npos);
  // A broken file names what is wrong and imports nothing.
  std::ofstream(dir / "bad.json") << R"({"runs": [{"run": {"id": "ff01", "experiment": "e", "status": "done"}}]})";
  const auto bad = run("runs import " + (dir / "bad.json").string() + " --tracking " + db);
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.out.find("runs[0]"), std::string::npos) << bad.out;
  // To PostgreSQL and back out as JSON: the same documents.
  std::string url = pg.new_database();
  url.replace(url.find("heartwave@"), 10, "heartwave:s3cretpw@");  // the server trusts local sockets; the password must not show
  const auto copied = run("runs copy --to '" + url + "' --tracking " + db);
  ASSERT_EQ(copied.status, 0) << copied.out;
  EXPECT_NE(copied.out.find("copied 3 run(s)"), std::string::npos) << copied.out;
  const json from_pg = json::parse(run("runs list --json --sort accuracy --tracking '" + url + "'").out);
  ASSERT_EQ(from_pg.size(), 3u);
  EXPECT_EQ(from_pg[0]["id"], "abcd0002");
  const json a = json::parse(run("runs show abcd0001 --json --tracking " + db).out);
  const json b = json::parse(run("runs show abcd0001 --json --tracking '" + url + "'").out);
  EXPECT_EQ(a["run"], b["run"]);
  EXPECT_EQ(a["curves"], b["curves"]);
  // The report of the PostgreSQL store's tune runs.
  const std::string page = (dir / "report.html").string();
  const auto rep = run("runs report --experiment tune --out " + page + " --tracking '" + url + "'");
  ASSERT_EQ(rep.status, 0) << rep.out;
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(html.find("data-metric=\"valid.mlogloss\""), std::string::npos);
  EXPECT_EQ(html.find("abcd0000"), std::string::npos);  // the train run is not selected
  EXPECT_NE(html.find("abcd0001"), std::string::npos);
  EXPECT_EQ(html.find("s3cretpw"), std::string::npos);
  EXPECT_EQ(copied.out.find("s3cretpw"), std::string::npos) << copied.out;
  EXPECT_NE(run("runs report --experiment nothing --out " + page + " --tracking " + db).status, 0);
}
