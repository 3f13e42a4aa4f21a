// Runs as JSON: a run document read back gives the same run and points
// (what `runs show --json` writes, `runs import` reads); a wrong document
// is a ParseError naming the field.
#include <gtest/gtest.h>

#include <cmath>

#include "heartwave/core/error.hpp"
#include "heartwave/track/run_json.hpp"
#include "support.hpp"

using namespace heartwave;
using nlohmann::json;

TEST(RunJson, ADocumentReadBackIsTheSameRun) {
  heartwave::test::TempDir dir;
  TrackingStore s(dir / "t.db");
  const auto id = s.start_run("train", "heartwave train", "abc", true);
  s.log_params(id, {{"eta", "0.3"}});
  s.set_tags(id, {{"note", "x"}});
  s.log_metrics(id, {{"loss", 2.0, 0, 5}, {"loss", 1.0, 1, 6}, {"accuracy", 0.9, 0, 7}});
  s.end_run(id, RunStatus::finished);
  const RunRecord r = *s.run(id);
  const json doc = run_document(s, r);
  const RunImport back = run_from_json(json::parse(doc.dump()), "doc");
  EXPECT_EQ(back.run.id, r.id);
  EXPECT_EQ(back.run.experiment, "train");
  EXPECT_EQ(back.run.status, RunStatus::finished);
  EXPECT_EQ(back.run.start_ms, r.start_ms);
  EXPECT_EQ(back.run.end_ms, r.end_ms);
  EXPECT_TRUE(back.run.git_dirty);
  EXPECT_EQ(back.run.params, r.params);
  EXPECT_EQ(back.run.tags, r.tags);
  ASSERT_EQ(back.points.size(), 3u);  // accuracy's one point and loss's two, no extra final
  heartwave::test::TempDir other;
  TrackingStore t(other / "t.db");
  ASSERT_TRUE(t.import_run(back.run, back.points));
  EXPECT_EQ(run_document(t, *t.run(id))["curves"], doc["curves"]);
  EXPECT_EQ(run_to_json(*t.run(id), false), run_to_json(r, false));
}

TEST(RunJson, AFinalMetricWithoutACurveBecomesOnePoint) {
  const json doc = json::parse(R"({"run": {"id": "ab12", "experiment": "e", "status": "failed", "metrics": {"f1": 0.5, "gone": null}}})");
  const RunImport r = run_from_json(doc, "doc");
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].key, "f1");
  EXPECT_DOUBLE_EQ(r.points[0].value, 0.5);
}

TEST(RunJson, AWrongDocumentNamesTheField) {
  auto message = [](const std::string& text) {
    try {
      run_from_json(json::parse(text), "f.json");
    } catch (const ParseError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("[]").find("f.json: document"), std::string::npos);
  EXPECT_NE(message(R"({"run": {"experiment": "e", "status": "finished"}})").find("id: missing"), std::string::npos);
  EXPECT_NE(message(R"({"run": {"id": "../x", "experiment": "e", "status": "finished"}})").find("run.id"), std::string::npos);
  EXPECT_NE(message(R"({"run": {"id": "ab", "experiment": "e", "status": "done"}})").find("status"), std::string::npos);
  EXPECT_NE(message(R"({"run": {"id": "ab", "experiment": "e", "status": "finished", "start_ms": -3}})").find("start_ms"), std::string::npos);
  EXPECT_NE(message(R"({"run": {"id": "ab", "experiment": "e", "status": "finished"}, "curves": {"loss": [[0.5, 1]]}})").find("curves.loss"),
            std::string::npos);
  EXPECT_NE(message(R"({"run": {"id": "ab", "experiment": "e", "status": "finished"}, "curves": {"loss": [[1, "x"]]}})").find("curves.loss"),
            std::string::npos);
  EXPECT_NE(message(R"({"run": {"id": "ab", "experiment": "e", "status": "finished", "params": {"a": [1]}}})").find("params.a"),
            std::string::npos);
}
