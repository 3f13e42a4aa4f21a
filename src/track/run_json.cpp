#include "heartwave/track/run_json.hpp"

#include <cmath>
#include <limits>

#include "heartwave/core/error.hpp"
#include "heartwave/core/json_checks.hpp"

namespace heartwave {

nlohmann::json run_to_json(const RunRecord& r, bool full) {
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [k, v] : r.metrics) metrics[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
  nlohmann::json j = {{"id", r.id},
                      {"experiment", r.experiment},
                      {"status", run_status_name(r.status)},
                      {"start_ms", r.start_ms},
                      {"end_ms", r.end_ms},
                      {"git_commit", r.git_commit},
                      {"git_dirty", r.git_dirty},
                      {"command", r.command},
                      {"params", r.params},
                      {"tags", r.tags},
                      {"metrics", metrics}};
  if (full) {
    j["host"] = r.host;
    j["pid"] = r.pid;
    nlohmann::json a = nlohmann::json::array();
    for (const auto& x : r.artifacts) a.push_back({{"path", x.path}, {"sha256", x.sha256}, {"size", x.size}, {"kind", x.kind}});
    j["artifacts"] = a;
  }
  return j;
}

nlohmann::json curves_to_json(const std::vector<MetricPoint>& points) {
  nlohmann::json c = nlohmann::json::object();
  for (const auto& p : points) {
    auto& line = c[p.key];
    if (line.is_null()) line = nlohmann::json::array();
    line.push_back({p.step, std::isfinite(p.value) ? nlohmann::json(p.value) : nlohmann::json(nullptr)});
  }
  return c;
}

nlohmann::json run_document(const TrackingStore& store, const RunRecord& r) {
  return {{"run", run_to_json(r, true)}, {"curves", curves_to_json(store.metric_history(r.id, ""))}};
}

namespace {

[[noreturn]] void bad(const std::string& where, const std::string& field, const std::string& what) {
  throw ParseError(where + ": " + field + ": " + what);
}

std::string text(const nlohmann::json& j, const char* key, const std::string& where, bool required) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) bad(where, key, "missing");
    return "";
  }
  if (!it->is_string()) bad(where, key, "expected a string");
  return it->get<std::string>();
}

std::int64_t integer(const nlohmann::json& j, const char* key, const std::string& where, std::int64_t fallback) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  const auto v = json_integer_in(*it, 0, std::numeric_limits<std::int64_t>::max());
  if (!v) bad(where, key, "expected a non-negative integer");
  return *v;
}

std::map<std::string, std::string> strings(const nlohmann::json& j, const char* key, const std::string& where) {
  std::map<std::string, std::string> out;
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) bad(where, key, "expected an object");
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
    else if (v.is_number() || v.is_boolean()) out[k] = v.dump();
    else bad(where, std::string(key) + "." + k, "expected a string");
  }
  return out;
}

}  // namespace

RunImport run_from_json(const nlohmann::json& doc, const std::string& where) {
  if (!doc.is_object()) bad(where, "document", "expected an object {\"run\": ..., \"curves\": ...}");
  const auto rit = doc.find("run");
  if (rit == doc.end() || !rit->is_object()) bad(where, "run", "missing or not an object");
  const nlohmann::json& j = *rit;
  RunImport out;
  RunRecord& r = out.run;
  r.id = text(j, "id", where, true);
  if (r.id.empty() || r.id.size() > 64 || r.id.find_first_not_of("0123456789abcdefABCDEF-_") != std::string::npos)
    bad(where, "run.id", "expected 1 to 64 characters of [0-9a-f_-]");
  const std::string w = where + ": run " + r.id;
  r.experiment = text(j, "experiment", w, true);
  if (r.experiment.empty()) bad(w, "experiment", "empty");
  const std::string status = text(j, "status", w, true);
  if (status == "finished") r.status = RunStatus::finished;
  else if (status == "failed") r.status = RunStatus::failed;
  else if (status == "running") r.status = RunStatus::running;
  else bad(w, "status", "expected running, finished or failed, not '" + status + "'");
  r.start_ms = integer(j, "start_ms", w, 0);
  r.end_ms = integer(j, "end_ms", w, 0);
  r.git_commit = text(j, "git_commit", w, false);
  if (const auto d = j.find("git_dirty"); d != j.end() && !d->is_null()) {
    if (!d->is_boolean()) bad(w, "git_dirty", "expected true or false");
    r.git_dirty = d->get<bool>();
  }
  r.command = text(j, "command", w, false);
  r.host = text(j, "host", w, false);
  r.pid = integer(j, "pid", w, 0);
  r.params = strings(j, "params", w);
  r.tags = strings(j, "tags", w);
  if (const auto a = j.find("artifacts"); a != j.end() && !a->is_null()) {
    if (!a->is_array()) bad(w, "artifacts", "expected an array");
    for (const auto& x : *a) {
      if (!x.is_object()) bad(w, "artifacts[]", "expected an object");
      r.artifacts.push_back({text(x, "path", w + ": artifact", true), text(x, "sha256", w + ": artifact", false),
                             text(x, "kind", w + ": artifact", false), integer(x, "size", w + ": artifact", 0)});
    }
  }
  // Final metrics: a key logged only as a final value (no curve) becomes
  // one point at step 0.
  std::map<std::string, double> finals;
  if (const auto m = j.find("metrics"); m != j.end() && !m->is_null()) {
    if (!m->is_object()) bad(w, "metrics", "expected an object");
    for (const auto& [k, v] : m->items()) {
      if (v.is_null()) continue;
      if (!v.is_number()) bad(w, "metrics." + k, "expected a number");
      finals[k] = v.get<double>();
    }
  }
  if (const auto c = doc.find("curves"); c != doc.end() && !c->is_null()) {
    if (!c->is_object()) bad(w, "curves", "expected an object");
    for (const auto& [k, line] : c->items()) {
      if (k.empty()) bad(w, "curves", "a metric without a name");
      if (!line.is_array()) bad(w, "curves." + k, "expected [[step, value], ...]");
      for (const auto& p : line) {
        if (!p.is_array() || p.size() != 2 || !(p[1].is_number() || p[1].is_null())) bad(w, "curves." + k, "expected [step, value] pairs");
        const auto step = json_integer_in(p[0], std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
        if (!step) bad(w, "curves." + k, "a step that is not an integer");
        const double v = p[1].is_null() ? std::numeric_limits<double>::quiet_NaN() : p[1].get<double>();
        out.points.push_back({k, v, *step, r.start_ms});
      }
      finals.erase(k);
    }
  }
  for (const auto& [k, v] : finals) out.points.push_back({k, v, 0, r.end_ms ? r.end_ms : r.start_ms});
  return out;
}

}  // namespace heartwave
