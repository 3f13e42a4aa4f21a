#include "heartwave/track/mlflow_export.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"

namespace heartwave {

namespace {

using nlohmann::json;

constexpr const char* kIdTag = "heartwave.run_id";

struct Client {
  httplib::Client http;
  std::string prefix, token;
  std::size_t requests = 0;
  Client(const std::string& base, std::string p, std::string t) : http(base), prefix(std::move(p)), token(std::move(t)) {
    http.set_connection_timeout(10);
    http.set_read_timeout(60);
  }
  httplib::Headers headers() const {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return h;
  }
  json check(const httplib::Result& r, const std::string& route, bool allow_missing = false) {
    ++requests;
    if (!r) throw NetworkError("mlflow export: " + route + ": no answer (" + httplib::to_string(r.error()) + ")");
    if (allow_missing && r->status == 404) return nullptr;
    if (r->status != 200) throw NetworkError("mlflow export: " + route + ": HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 300));
    const json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded()) throw NetworkError("mlflow export: " + route + ": the answer is not JSON");
    return j;
  }
  json get(const std::string& route, const httplib::Params& params, bool allow_missing = false) {
    return check(http.Get(prefix + route, params, headers()), route, allow_missing);
  }
  json post(const std::string& route, const json& body) {
    return check(http.Post(prefix + route, headers(), body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json"), route);
  }
};

std::string experiment_id(Client& c, const std::string& name) {
  const json got = c.get("/api/2.0/mlflow/experiments/get-by-name", {{"experiment_name", name}}, true);
  if (!got.is_null() && got.contains("experiment")) return got["experiment"].value("experiment_id", "");
  return c.post("/api/2.0/mlflow/experiments/create", {{"name", name}}).value("experiment_id", "");
}

bool already_exported(Client& c, const std::string& exp, const std::string& id) {
  const json r = c.post("/api/2.0/mlflow/runs/search",
                        {{"experiment_ids", {exp}}, {"filter", std::string("tags.\"") + kIdTag + "\" = '" + id + "'"}, {"max_results", 1}});
  return r.contains("runs") && !r["runs"].empty();
}

}  // namespace

MlflowExportResult export_to_mlflow(const TrackingStore& store, const std::vector<std::string>& runs, const MlflowExportOptions& o) {
  const auto scheme = o.url.find("://");
  if (o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0)
    throw InvalidArgument("mlflow export: '" + o.url + "' is not an http:// or https:// URL");
  const auto slash = o.url.find('/', scheme + 3);
  std::string prefix = slash == std::string::npos ? "" : o.url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  Client c(o.url.substr(0, slash), prefix, o.token);
  MlflowExportResult res;
  std::map<std::string, std::string> experiments;
  for (const std::string& id : runs) {
    const auto r = store.run(id);
    if (!r) throw InvalidArgument("mlflow export: no run '" + id + "' in " + store.path().string());
    if (!experiments.count(r->experiment)) experiments[r->experiment] = experiment_id(c, r->experiment);
    const std::string exp = experiments[r->experiment];
    if (already_exported(c, exp, r->id)) {
      ++res.skipped;
      continue;
    }
    json tags = json::array({{{"key", kIdTag}, {"value", r->id}}, {{"key", "mlflow.source.git.commit"}, {"value", r->git_commit}},
                             {{"key", "heartwave.git_dirty"}, {"value", r->git_dirty ? "true" : "false"}},
                             {{"key", "heartwave.command"}, {"value", r->command.substr(0, 5000)}}});
    const json created = c.post("/api/2.0/mlflow/runs/create", {{"experiment_id", exp}, {"start_time", r->start_ms}, {"run_name", r->id.substr(0, 12)},
                                                                {"tags", tags}});
    const std::string mid = created["run"]["info"].value("run_id", "");
    if (mid.empty()) throw NetworkError("mlflow export: runs/create gave no run_id");
    // Everything to send, in batches within the limits.
    std::vector<json> metrics, params, more_tags;
    for (const auto& p : store.metric_history(r->id, ""))
      metrics.push_back({{"key", p.key}, {"value", p.value}, {"timestamp", p.time_ms}, {"step", p.step}});
    for (const auto& [k, v] : r->params) params.push_back({{"key", k}, {"value", v.substr(0, 6000)}});
    for (const auto& [k, v] : r->tags) more_tags.push_back({{"key", k}, {"value", v.substr(0, 5000)}});
    std::size_t mi = 0, pi = 0, ti = 0;
    while (mi < metrics.size() || pi < params.size() || ti < more_tags.size()) {
      json batch = {{"run_id", mid}, {"metrics", json::array()}, {"params", json::array()}, {"tags", json::array()}};
      std::size_t items = 0, bytes = 100;
      auto room = [&](const json& x) {
        const std::size_t n = x.dump().size() + 1;
        if (items >= o.max_items || bytes + n > o.max_bytes) return false;
        ++items, bytes += n;
        return true;
      };
      while (pi < params.size() && batch["params"].size() < o.max_params && room(params[pi])) batch["params"].push_back(params[pi++]);
      while (ti < more_tags.size() && batch["tags"].size() < o.max_tags && room(more_tags[ti])) batch["tags"].push_back(more_tags[ti++]);
      while (mi < metrics.size() && batch["metrics"].size() < o.max_metrics && room(metrics[mi])) batch["metrics"].push_back(metrics[mi++]);
      c.post("/api/2.0/mlflow/runs/log-batch", batch);
    }
    json update = {{"run_id", mid}, {"status", r->status == RunStatus::finished ? "FINISHED" : r->status == RunStatus::failed ? "FAILED" : "RUNNING"}};
    if (r->end_ms > 0) update["end_time"] = r->end_ms;
    c.post("/api/2.0/mlflow/runs/update", update);
    ++res.exported;
  }
  res.requests = c.requests;
  return res;
}

}  // namespace heartwave
