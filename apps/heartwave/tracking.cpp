// Automatic tracking of train, tune, cv, evaluate and analyze: a run opens
// when the command's options are parsed (its parameters: every option's
// value), and closes after the command, finished or failed, with the metrics
// and artifacts its outputs hold. A process that dies leaves the run
// "running"; the next open of the store ends it as failed.
#include <cstdio>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/track/store.hpp"

namespace heartwave::cli {

namespace {

struct Tracked {
  CLI::App* app = nullptr;
  std::string kind;
  std::string path;
  bool off = false;
  std::string experiment;
  std::unique_ptr<TrackingStore> store;
  std::string run;
};

std::vector<std::unique_ptr<Tracked>>& tracked() {
  static std::vector<std::unique_ptr<Tracked>> t;
  return t;
}

std::string& command_line() {
  static std::string c;
  return c;
}

std::string option_value(const CLI::Option* o) {
  if (o->get_expected_min() == 0 && o->get_default_str().empty()) return o->count() > 0 ? "true" : "false";  // a flag
  std::string v;
  for (const auto& r : o->results()) v += (v.empty() ? "" : ",") + r;
  if (v.empty() && !o->get_default_str().empty()) v = o->get_default_str();
  return v;
}

// Numeric leaves of `j` as metrics "prefix.key.sub" (arrays left out), at
// most `room` of them.
void flatten(const nlohmann::json& j, const std::string& prefix, std::vector<MetricPoint>& out, std::size_t room, int depth = 0) {
  if (out.size() >= room || depth > 4) return;
  if (j.is_number() && !prefix.empty()) {
    out.push_back({prefix, j.get<double>(), 0, 0});
    return;
  }
  if (j.is_object())
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out, room, depth + 1);
}

nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream f(p);
  if (!f) return nullptr;
  return nlohmann::json::parse(f, nullptr, false);
}

// The training curve of a model's log: each numeric field per iteration.
void curve(const nlohmann::json& log, std::vector<MetricPoint>& out) {
  if (!log.is_array()) return;
  for (std::size_t i = 0; i < log.size(); ++i) {
    const auto& e = log[i];
    if (!e.is_object()) continue;
    const std::int64_t step = e.contains("iteration") && e["iteration"].is_number() ? e["iteration"].get<std::int64_t>() : static_cast<std::int64_t>(i);
    const std::string stage = e.value("stage", std::string());
    for (const auto& [k, v] : e.items())
      if (v.is_number() && k != "iteration") out.push_back({(stage.empty() || stage == "round" ? "" : stage + ".") + k, v.get<double>(), step, 0});
  }
}

void log_outputs(Tracked& t) {
  const CLI::Option* out_opt = t.app->get_option_no_throw("--out");
  const std::string out = out_opt ? option_value(out_opt) : "";
  std::vector<MetricPoint> m;
  std::error_code ec;
  auto artifact = [&](const std::filesystem::path& p, const char* kind) {
    if (std::filesystem::is_regular_file(p, ec)) t.store->log_artifact(t.run, p, kind);
  };
  if (t.kind == "train" && !out.empty()) {
    artifact(out, "model");
    if (std::filesystem::is_regular_file(out, ec)) {
      const ModelBundle b = load_bundle(out);
      curve(b.meta.value("training_log", nlohmann::json::array()), m);
      flatten(b.meta.value("metrics", nlohmann::json::object()), "", m, 2000);
      if (b.meta.contains("training")) flatten(b.meta["training"], "training", m, 2000);
    }
    artifact(out + ".log.json", "log");
  } else if ((t.kind == "evaluate" || t.kind == "cv") && !out.empty()) {
    const nlohmann::json j = read_json(std::filesystem::path(out) / "metrics.json");
    if (!j.is_discarded() && !j.is_null()) flatten(j, "", m, 2000);
    for (const char* f : {"metrics.json", "report.html", "predictions.csv", "decision.json"}) artifact(std::filesystem::path(out) / f, "report");
  } else if (t.kind == "tune" && !out.empty()) {
    const nlohmann::json j = read_json(out);
    if (!j.is_discarded() && !j.is_null()) {
      if (j.contains("trials") && j["trials"].is_array())
        for (std::size_t i = 0; i < j["trials"].size(); ++i)
          if (j["trials"][i].is_object())
            for (const auto& [k, v] : j["trials"][i].items())
              if (v.is_number()) m.push_back({"trial." + k, v.get<double>(), static_cast<std::int64_t>(i), 0});
      for (const auto& [k, v] : j.items())
        if (k != "trials") flatten(v, k, m, 2000);
    }
    artifact(out, "report");
    artifact(out + ".params.json", "params");
  } else if (t.kind == "analyze" && !out.empty() && std::filesystem::is_directory(out, ec)) {
    std::array<double, 5> counts{};
    double records = 0;
    for (const auto& e : std::filesystem::directory_iterator(out, ec)) {
      const nlohmann::json s = read_json(e.path() / "summary.json");
      if (s.is_null() || s.is_discarded() || !s.contains("beats")) continue;
      ++records;
      int k = 0;
      for (const char* c : {"N", "S", "V", "F", "Q"}) counts[static_cast<std::size_t>(k++)] += s["beats"]["counts"].value(c, 0.0);
    }
    m.push_back({"records", records, 0, 0});
    int k = 0;
    for (const char* c : {"N", "S", "V", "F", "Q"}) m.push_back({std::string("beats.") + c, counts[static_cast<std::size_t>(k++)], 0, 0});
    artifact(std::filesystem::path(out) / "index.html", "report");
  }
  t.store->log_metrics(t.run, m);
}

}  // namespace

void set_command_line(int argc, char** argv) {
  std::string c;
  for (int i = 0; i < argc; ++i) c += (i ? " " : "") + std::string(argv[i]);
  command_line() = c;
}

void track_command(CLI::App* app, const std::string& kind) {
  auto t = std::make_unique<Tracked>();
  Tracked* tp = t.get();
  tp->app = app;
  tp->kind = kind;
  tp->experiment = kind;
  app->add_option("--tracking", tp->path, kTrackingHelp);
  app->add_flag("--no-track", tp->off, "Do not record this run in the tracking store");
  app->add_option("--experiment", tp->experiment, "Experiment the run is recorded under")->capture_default_str();
  app->parse_complete_callback([tp] {
    if (tp->off) return;
    try {
      tp->store = std::make_unique<TrackingStore>(tracking_path(tp->path));
      const nlohmann::json b = build_info();
      tp->run = tp->store->start_run(tp->experiment, command_line(), b.value("git_commit", ""), b.value("git_dirty", false));
      std::map<std::string, std::string> params;
      for (const CLI::Option* o : tp->app->get_options()) {
        const std::string name = o->get_name(false, true);
        if (name.rfind("--", 0) != 0 || name == "--help" || name == "--tracking" || name == "--no-track" || name == "--experiment") continue;
        params[name.substr(2)] = option_value(o);
      }
      for (const auto& pos : tp->app->get_options([](const CLI::Option* o) { return o->get_name(false, true).rfind("-", 0) != 0; }))
        params[pos->get_name()] = option_value(pos);
      tp->store->log_params(tp->run, params);
      tp->store->set_tags(tp->run, {{"heartwave.command", tp->kind}, {"heartwave.version", b.value("version", "")}});
    } catch (const std::exception& e) {
      spdlog::warn("tracking is off for this run: {}", e.what());
      tp->store.reset();
    }
  });
  tracked().push_back(std::move(t));
}

void finish_tracking(int status) {
  for (const auto& t : tracked()) {
    if (!t->store || t->run.empty()) continue;
    try {
      if (status == 0) log_outputs(*t);
      t->store->end_run(t->run, status == 0 ? RunStatus::finished : RunStatus::failed);
      std::fprintf(stderr, "tracked: run %s (%s) in %s\n", t->run.substr(0, 12).c_str(), status == 0 ? "finished" : "failed",
                   t->store->path().string().c_str());
    } catch (const std::exception& e) {
      spdlog::warn("tracking: {}", e.what());
      try {
        t->store->end_run(t->run, RunStatus::failed);
      } catch (...) {
      }
    }
  }
}

}  // namespace heartwave::cli
