// Tracking through the real binary: analyze runs recorded (finished and
// failed, with their parameters and metrics), --no-track, and
// `heartwave runs list / show / compare` as tables and JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_cli.hpp"
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
  EXPECT_EQ(shown["id"], a);
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
