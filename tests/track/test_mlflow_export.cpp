// The MLflow export against a small MLflow-API server of our own on
// 127.0.0.1 that checks every request against the published REST API
// reference (routes, required fields, types, the log-batch limits: 1,000
// metrics, 100 params, 100 tags, 1,000 items in all and 1 MB per request;
// params immutable; timestamps in milliseconds) and keeps what it was sent.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/track/mlflow_export.hpp"
#include "support.hpp"

using namespace heartwave;
using nlohmann::json;

namespace {

class FakeMlflow {
 public:
  struct Run {
    std::string experiment, status;
    std::int64_t start = 0, end = 0;
    std::map<std::string, std::string> params, tags;
    std::vector<json> metrics;
  };
  std::mutex mu;
  std::map<std::string, std::string> experiments;  // name -> id
  std::map<std::string, Run> runs;
  std::vector<std::string> violations;
  std::size_t batches = 0;

  FakeMlflow() {
    auto bad = [this](httplib::Response& res, const std::string& why, const char* code = "INVALID_PARAMETER_VALUE") {
      violations.push_back(why);
      res.status = 400;
      res.set_content(json{{"error_code", code}, {"message", why}}.dump(), "application/json");
    };
    auto ms_ok = [](const json& t) { return t.is_number_integer() && t.get<std::int64_t>() > 1'000'000'000'000 && t.get<std::int64_t>() < 100'000'000'000'000; };
    const std::string api = "/api/2.0/mlflow/";
    srv.Get(api + "experiments/get-by-name", [this, bad](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu);
      if (!req.has_param("experiment_name")) return bad(res, "get-by-name without experiment_name");
      const auto it = experiments.find(req.get_param_value("experiment_name"));
      if (it == experiments.end()) {
        res.status = 404;
        res.set_content(R"({"error_code":"RESOURCE_DOES_NOT_EXIST","message":"no such experiment"})", "application/json");
        return;
      }
      res.set_content(json{{"experiment", {{"experiment_id", it->second}, {"name", it->first}}}}.dump(), "application/json");
    });
    srv.Post(api + "experiments/create", [this, bad](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu);
      const json b = json::parse(req.body, nullptr, false);
      if (!b.is_object() || !b.contains("name") || !b["name"].is_string()) return bad(res, "experiments/create without a name");
      if (experiments.count(b["name"])) return bad(res, "experiment exists", "RESOURCE_ALREADY_EXISTS");
      const std::string id = std::to_string(experiments.size() + 1);
      experiments[b["name"]] = id;
      res.set_content(json{{"experiment_id", id}}.dump(), "application/json");
    });
    srv.Post(api + "runs/search", [this, bad](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu);
      const json b = json::parse(req.body, nullptr, false);
      if (!b.is_object() || !b.contains("experiment_ids") || !b["experiment_ids"].is_array()) return bad(res, "runs/search without experiment_ids");
      std::smatch m;
      const std::string filter = b.value("filter", "");
      static const std::regex tag_eq(R"re(tags\."([^"]+)" = '([^']*)')re");
      json found = json::array();
      if (!filter.empty() && !std::regex_match(filter, m, tag_eq)) return bad(res, "unsupported filter " + filter);
      for (const auto& [id, r] : runs)
        if (filter.empty() || (r.tags.count(m[1]) && r.tags.at(m[1]) == m[2].str())) found.push_back({{"info", {{"run_id", id}}}});
      res.set_content(json{{"runs", found}}.dump(), "application/json");
    });
    srv.Post(api + "runs/create", [this, bad, ms_ok](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu);
      const json b = json::parse(req.body, nullptr, false);
      if (!b.is_object() || !b.contains("experiment_id") || !b["experiment_id"].is_string()) return bad(res, "runs/create without experiment_id");
      if (!b.contains("start_time") || !ms_ok(b["start_time"])) return bad(res, "runs/create: start_time is not milliseconds");
      Run r;
      r.experiment = b["experiment_id"];
      r.start = b["start_time"];
      r.status = "RUNNING";
      for (const auto& t : b.value("tags", json::array())) r.tags[t["key"]] = t["value"];
      const std::string id = "run" + std::to_string(runs.size() + 1);
      runs[id] = r;
      res.set_content(json{{"run", {{"info", {{"run_id", id}}}}}}.dump(), "application/json");
    });
    srv.Post(api + "runs/log-batch", [this, bad, ms_ok](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu);
      ++batches;
      if (req.body.size() > 1'000'000) return bad(res, "log-batch over 1 MB");
      const json b = json::parse(req.body, nullptr, false);
      if (!b.is_object() || !b.contains("run_id") || !runs.count(b["run_id"])) return bad(res, "log-batch for an unknown run");
      Run& r = runs[b["run_id"]];
      const json m = b.value("metrics", json::array()), p = b.value("params", json::array()), t = b.value("tags", json::array());
      if (m.size() > 1000) return bad(res, "log-batch: more than 1000 metrics");
      if (p.size() > 100) return bad(res, "log-batch: more than 100 params");
      if (t.size() > 100) return bad(res, "log-batch: more than 100 tags");
      if (m.size() + p.size() + t.size() > 1000) return bad(res, "log-batch: more than 1000 items");
      for (const auto& x : m) {
        if (!x["key"].is_string() || !x["value"].is_number() || !ms_ok(x["timestamp"]) || !x["step"].is_number_integer())
          return bad(res, "log-batch: a malformed metric " + x.dump());
        r.metrics.push_back(x);
      }
      for (const auto& x : p) {
        if (!x["key"].is_string() || !x["value"].is_string()) return bad(res, "log-batch: a malformed param");
        const std::string k = x["key"], v = x["value"];
        if (r.params.count(k) && r.params[k] != v) return bad(res, "param " + k + " changed");
        r.params[k] = v;
      }
      for (const auto& x : t) r.tags[x["key"]] = x["value"];
      res.set_content("{}", "application/json");
    });
    srv.Post(api + "runs/update", [this, bad, ms_ok](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu);
      const json b = json::parse(req.body, nullptr, false);
      if (!b.is_object() || !b.contains("run_id") || !runs.count(b["run_id"])) return bad(res, "update of an unknown run");
      const std::string st = b.value("status", "");
      if (st != "RUNNING" && st != "SCHEDULED" && st != "FINISHED" && st != "FAILED" && st != "KILLED") return bad(res, "bad status " + st);
      if (b.contains("end_time") && !ms_ok(b["end_time"])) return bad(res, "end_time is not milliseconds");
      runs[b["run_id"]].status = st;
      runs[b["run_id"]].end = b.value("end_time", std::int64_t{0});
      res.set_content("{}", "application/json");
    });
    srv.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (res.status == 404 && req.path.find("get-by-name") == std::string::npos) violations.push_back("unknown route " + req.path);
    });
    port = srv.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { srv.listen_after_bind(); });
    while (!srv.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~FakeMlflow() {
    srv.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

 private:
  httplib::Server srv;
  std::thread thread;
  int port = 0;
};

}  // namespace

TEST(MlflowExport, SendsEveryRunWithinTheApiLimitsOnce) {
  heartwave::test::TempDir dir;
  TrackingStore s(dir / "t.db");
  const auto a = s.start_run("train", "heartwave train --model xgb", "abc", false);
  std::map<std::string, std::string> params;
  for (int i = 0; i < 150; ++i) params["p" + std::to_string(i)] = std::to_string(i);
  s.log_params(a, params);
  std::vector<MetricPoint> pts;
  for (int i = 0; i < 1250; ++i) pts.push_back({"train_loss", 1.0 / (i + 1), i, 0}), pts.push_back({"valid_loss", 2.0 / (i + 1), i, 0});
  s.log_metrics(a, pts);
  s.set_tags(a, {{"note", "x"}});
  s.end_run(a, RunStatus::finished);
  const auto b = s.start_run("cv", "heartwave cv", "abc", true);
  s.log_metrics(b, {{"accuracy", 0.9, 0, 0}});
  s.end_run(b, RunStatus::failed);
  FakeMlflow server;
  MlflowExportOptions o;
  o.url = server.url();
  const auto r = export_to_mlflow(s, {a, b}, o);
  EXPECT_EQ(r.exported, 2u);
  EXPECT_TRUE(server.violations.empty()) << server.violations.front();
  ASSERT_EQ(server.runs.size(), 2u);
  EXPECT_EQ(server.experiments.size(), 2u);
  const auto& ra = server.runs.at("run1");
  EXPECT_EQ(ra.metrics.size(), 2500u);
  EXPECT_EQ(ra.params.size(), 150u);
  EXPECT_EQ(ra.params.at("p149"), "149");
  EXPECT_EQ(ra.tags.at("heartwave.run_id"), a);
  EXPECT_EQ(ra.tags.at("note"), "x");
  EXPECT_EQ(ra.status, "FINISHED");
  EXPECT_GE(server.batches, 3u);  // 2,500 metrics need three batches at least
  EXPECT_EQ(server.runs.at("run2").status, "FAILED");
  EXPECT_EQ(server.runs.at("run2").tags.at("mlflow.source.git.commit"), "abc");
  // Again: nothing is duplicated.
  const auto again = export_to_mlflow(s, {a, b}, o);
  EXPECT_EQ(again.exported, 0u);
  EXPECT_EQ(again.skipped, 2u);
  EXPECT_EQ(server.runs.size(), 2u);
  EXPECT_TRUE(server.violations.empty());
}

TEST(MlflowExport, ErrorsNameTheProblem) {
  heartwave::test::TempDir dir;
  TrackingStore s(dir / "t.db");
  const auto a = s.start_run("train", "x", "", false);
  MlflowExportOptions o;
  o.url = "ftp://example";
  EXPECT_THROW(export_to_mlflow(s, {a}, o), InvalidArgument);
  o.url = "http://127.0.0.1:1";  // nothing listens there
  EXPECT_THROW(export_to_mlflow(s, {a}, o), NetworkError);
  FakeMlflow server;
  o.url = server.url();
  EXPECT_THROW(export_to_mlflow(s, {"nope"}, o), InvalidArgument);
}
