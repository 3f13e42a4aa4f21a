// heartwave runs list | show | compare: the tracking store as terminal
// tables, or JSON (--json) for scripts.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <set>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/track/mlflow_export.hpp"
#include "heartwave/track/report.hpp"
#include "heartwave/track/run_json.hpp"
#include "heartwave/track/store.hpp"

namespace heartwave::cli {

namespace {

std::string utc(std::int64_t ms) {
  if (ms <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", &tm);
  return b;
}

std::string duration(const RunRecord& r) {
  if (r.end_ms <= 0) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f s", static_cast<double>(r.end_ms - r.start_ms) / 1000.0);
  return b;
}

std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// A plain text table: columns padded to their widest cell.
void print_table(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& highlight = {}) {
  if (rows.empty()) return;
  std::vector<std::size_t> w;
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (w.size() <= c) w.push_back(0);
      w[c] = std::max(w[c], std::min<std::size_t>(r[c].size(), 60));
    }
  const bool tty = isatty(STDOUT_FILENO) != 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool hl = i < highlight.size() && highlight[i];
    std::string line = hl ? "* " : "  ";
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      std::string cell = rows[i][c].size() > 60 ? rows[i][c].substr(0, 57) + "..." : rows[i][c];
      cell.resize(w[c], ' ');
      line += cell + (c + 1 < rows[i].size() ? "  " : "");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (hl && tty) line = "\033[1m" + line + "\033[0m";
    std::printf("%s\n", line.c_str());
  }
}

RunRecord must_get(const TrackingStore& s, const std::string& id) {
  auto r = s.run(id);
  if (!r) throw InvalidArgument("runs: no run '" + id + "' in " + s.path().string());
  return *r;
}

int list(const RunsArgs& a) {
  TrackingStore store(tracking_path(a.tracking));
  RunQuery q;
  q.experiment = a.experiment;
  for (const auto& f : a.filters) q.filters.push_back(parse_run_filter(f));
  q.sort = a.sort;
  q.limit = a.limit;
  q.with_params = a.json;  // the table shows no parameters
  const auto runs = store.runs(q);
  if (a.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : runs) j.push_back(run_to_json(r, false));
    std::printf("%s\n", j.dump(1).c_str());
    return 0;
  }
  const std::string key = a.sort.empty() ? "" : (a.sort[0] == '-' ? a.sort.substr(1) : a.sort);
  std::vector<std::vector<std::string>> rows = {{"id", "experiment", "status", "started (UTC)", "took", "commit"}};
  if (!key.empty()) rows[0].push_back(key);
  rows[0].push_back("command");
  for (const auto& r : runs) {
    std::vector<std::string> row = {r.id.substr(0, 12), r.experiment, run_status_name(r.status), utc(r.start_ms), duration(r),
                                    r.git_commit.substr(0, 8) + (r.git_dirty ? "+" : "")};
    if (!key.empty()) row.push_back(r.metrics.count(key) ? number(r.metrics.at(key)) : "-");
    row.push_back(r.command);
    rows.push_back(std::move(row));
  }
  print_table(rows);
  std::printf("%zu run(s) in %s\n", runs.size(), store.path().string().c_str());
  return 0;
}

int show(const RunsArgs& a) {
  TrackingStore store(tracking_path(a.tracking));
  if (a.ids.size() != 1) throw InvalidArgument("runs show: give one run id");
  const RunRecord r = must_get(store, a.ids[0]);
  const auto history = store.metric_history(r.id, "");
  if (a.json) {
    nlohmann::json j = {{"run", run_to_json(r, true)}, {"curves", curves_to_json(history)}, {"build", build_info()}};
    std::printf("%s\n", j.dump(1).c_str());
    return 0;
  }
  print_table({{"id", r.id},
               {"experiment", r.experiment},
               {"status", run_status_name(r.status)},
               {"started (UTC)", utc(r.start_ms)},
               {"ended (UTC)", utc(r.end_ms)},
               {"took", duration(r)},
               {"git commit", r.git_commit + (r.git_dirty ? " (dirty)" : "")},
               {"host / pid", r.host + " / " + std::to_string(r.pid)},
               {"command", r.command}});
  std::printf("\nparameters\n");
  std::vector<std::vector<std::string>> p;
  for (const auto& [k, v] : r.params) p.push_back({k, v});
  print_table(p);
  std::printf("\nmetrics (last value; points per metric)\n");
  std::map<std::string, std::size_t> points;
  for (const auto& x : history) ++points[x.key];
  std::vector<std::vector<std::string>> m;
  for (const auto& [k, v] : r.metrics) m.push_back({k, number(v), std::to_string(points[k])});
  print_table(m);
  if (!r.tags.empty()) {
    std::printf("\ntags\n");
    std::vector<std::vector<std::string>> t;
    for (const auto& [k, v] : r.tags) t.push_back({k, v});
    print_table(t);
  }
  if (!r.artifacts.empty()) {
    std::printf("\nartifacts\n");
    std::vector<std::vector<std::string>> t;
    for (const auto& x : r.artifacts) t.push_back({x.kind, x.path, std::to_string(x.size), x.sha256.substr(0, 16)});
    print_table(t);
  }
  return 0;
}

int compare(const RunsArgs& a) {
  TrackingStore store(tracking_path(a.tracking));
  if (a.ids.size() < 2) throw InvalidArgument("runs compare: give two or more run ids");
  std::vector<RunRecord> runs;
  for (const auto& id : a.ids) runs.push_back(must_get(store, id));
  std::set<std::string> pkeys, mkeys;
  for (const auto& r : runs) {
    for (const auto& [k, v] : r.params) pkeys.insert(k);
    for (const auto& [k, v] : r.metrics) mkeys.insert(k);
  }
  if (a.json) {
    nlohmann::json j = {{"runs", nlohmann::json::array()}, {"params", nlohmann::json::object()}, {"metrics", nlohmann::json::object()}};
    for (const auto& r : runs) j["runs"].push_back(run_to_json(r, false));
    // Each key's values side by side (null where a run lacks it), and whether they differ.
    auto side_by_side_json = [&](const std::set<std::string>& keys, const auto& field) {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& k : keys) {
        nlohmann::json row = nlohmann::json::array();
        std::set<std::string> distinct;
        for (const auto& r : runs) {
          const auto& m = field(r);
          const auto it = m.find(k);
          row.push_back(it == m.end() ? nlohmann::json(nullptr) : nlohmann::json(it->second));
          distinct.insert(it == m.end() ? std::string("\x01") : nlohmann::json(it->second).dump());
        }
        out[k] = {{"values", row}, {"differ", distinct.size() > 1}};
      }
      return out;
    };
    j["params"] = side_by_side_json(pkeys, [](const RunRecord& r) -> const auto& { return r.params; });
    j["metrics"] = side_by_side_json(mkeys, [](const RunRecord& r) -> const auto& { return r.metrics; });
    std::printf("%s\n", j.dump(1).c_str());
    return 0;
  }
  auto side_by_side = [&](const char* title, const std::set<std::string>& keys, auto&& cell) {
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> differ;
    std::vector<std::string> head = {title};
    for (const auto& r : runs) head.push_back(r.id.substr(0, 12));
    rows.push_back(head);
    differ.push_back(false);
    for (const auto& k : keys) {
      std::vector<std::string> row = {k};
      std::set<std::string> distinct;
      for (const auto& r : runs) {
        row.push_back(cell(r, k));
        distinct.insert(row.back());
      }
      rows.push_back(row);
      differ.push_back(distinct.size() > 1);
    }
    print_table(rows, differ);
  };
  side_by_side("parameter", pkeys, [](const RunRecord& r, const std::string& k) { return r.params.count(k) ? r.params.at(k) : "-"; });
  std::printf("\n");
  side_by_side("metric", mkeys, [](const RunRecord& r, const std::string& k) { return r.metrics.count(k) ? number(r.metrics.at(k)) : "-"; });
  std::printf("(* marks the rows that differ)\n");
  return 0;
}

int export_runs(const RunsArgs& a) {
  TrackingStore store(tracking_path(a.tracking));
  std::vector<std::string> ids = a.ids;
  if (ids.empty()) {
    RunQuery q;
    q.experiment = a.experiment;
    q.with_params = false;
    for (const auto& r : store.runs(q))
      if (r.status != RunStatus::running) ids.push_back(r.id);
  }
  MlflowExportOptions o;
  o.url = a.mlflow;
  if (const char* t = std::getenv("MLFLOW_TRACKING_TOKEN"); t && *t) o.token = t;
  const MlflowExportResult r = export_to_mlflow(store, ids, o);
  std::printf("exported %zu run(s) to %s, %zu already there (%zu requests)\n", r.exported, a.mlflow.c_str(), r.skipped, r.requests);
  return 0;
}

// The runs of --experiment / --filter / ids in `store`.
std::vector<RunRecord> selected(const TrackingStore& store, const RunsArgs& a) {
  std::vector<RunRecord> out;
  if (!a.ids.empty()) {
    for (const auto& id : a.ids) out.push_back(must_get(store, id));
    return out;
  }
  RunQuery q;
  q.experiment = a.experiment;
  for (const auto& f : a.filters) q.filters.push_back(parse_run_filter(f));
  q.sort = a.sort;
  q.limit = a.limit;
  out = store.runs(q);
  for (auto& r : out) r = must_get(store, r.id);  // with its artifacts
  return out;
}

// Run documents in a file: one, an array of them, or {"runs": [...]}.
std::vector<RunImport> read_run_documents(const std::string& file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file_text(file));
  } catch (const nlohmann::json::parse_error& e) {
    throw ParseError(file + ": not JSON: " + e.what());
  }
  const nlohmann::json* list = &j;
  if (j.is_object() && j.contains("runs")) list = &j["runs"];
  std::vector<RunImport> out;
  if (list->is_array()) {
    for (std::size_t i = 0; i < list->size(); ++i) out.push_back(run_from_json((*list)[i], file + ": runs[" + std::to_string(i) + "]"));
  } else {
    out.push_back(run_from_json(*list, file));
  }
  return out;
}

int import_runs(const RunsArgs& a) {
  std::vector<RunImport> docs;
  for (const auto& f : a.files) {
    auto d = read_run_documents(f);
    docs.insert(docs.end(), std::make_move_iterator(d.begin()), std::make_move_iterator(d.end()));
  }
  TrackingStore store(tracking_path(a.tracking));
  std::size_t added = 0;
  for (const auto& d : docs) added += store.import_run(d.run, d.points) ? 1 : 0;
  std::printf("imported %zu run(s) into %s, %zu already there\n", added, store.path().string().c_str(), docs.size() - added);
  return 0;
}

int copy_runs(const RunsArgs& a) {
  const TrackingStore from(tracking_path(a.tracking));
  TrackingStore to(a.to);
  std::size_t added = 0, n = 0;
  for (const auto& r : selected(from, a)) {
    ++n;
    added += to.import_run(r, from.metric_history(r.id, "")) ? 1 : 0;
  }
  std::printf("copied %zu run(s) from %s to %s, %zu already there\n", added, from.path().string().c_str(), to.path().string().c_str(),
              n - added);
  return 0;
}

int report(const RunsArgs& a) {
  const TrackingStore store(tracking_path(a.tracking));
  std::vector<RunCurves> runs;
  for (auto& r : selected(store, a)) {
    auto points = store.metric_history(r.id, "");
    runs.push_back({std::move(r), std::move(points)});
  }
  if (runs.empty()) throw InvalidArgument("runs report: no run matches (give ids, or --experiment / --filter that select some)");
  RunsReportOptions o;
  o.store = store.path().string();
  write_file_atomic(a.out, runs_report_html(runs, o));
  std::printf("wrote %s: %zu run(s) compared\n", a.out.c_str(), runs.size());
  return 0;
}

}  // namespace

void register_runs(CLI::App& app, RunsArgs& a, int& status) {
  CLI::App* runs = app.add_subcommand("runs", "The tracking store: list, show and compare the recorded runs");
  runs->require_subcommand(1);
  auto common = [&](CLI::App* c) {
    c->add_option("--tracking", a.tracking, kTrackingHelp);
    c->add_flag("--json", a.json, "JSON for scripts");
  };
  CLI::App* ls = runs->add_subcommand("list", "The runs, newest first (or by --sort)");
  common(ls);
  ls->add_option("--experiment", a.experiment, "Only this experiment (train, tune, cv, evaluate, analyze, or a --experiment name)");
  ls->add_option("--sort", a.sort, "Sort by this metric, highest first ('-metric': lowest first)");
  ls->add_option("--filter", a.filters, "Keep runs where FIELD OP VALUE holds, e.g. 'accuracy>0.9', 'params.seed=42', 'status=finished'");
  ls->add_option("--limit", a.limit, "At most this many runs");
  ls->callback([&] { status = guarded([&] { return list(a); }); });
  CLI::App* sh = runs->add_subcommand("show", "One run: parameters, metrics, tags, artifacts");
  common(sh);
  sh->add_option("id", a.ids, "Run id (or a unique prefix)")->required();
  sh->callback([&] { status = guarded([&] { return show(a); }); });
  CLI::App* cmp = runs->add_subcommand("compare", "Runs side by side: parameters and metrics, the rows that differ marked");
  common(cmp);
  cmp->add_option("ids", a.ids, "Two or more run ids (or unique prefixes)")->required();
  cmp->callback([&] { status = guarded([&] { return compare(a); }); });
  CLI::App* ex = runs->add_subcommand("export", "Send runs to an MLflow tracking server (REST API; a run already there is skipped)");
  ex->add_option("--tracking", a.tracking, kTrackingHelp);
  ex->add_option("--mlflow", a.mlflow, "The MLflow server's URL, e.g. http://127.0.0.1:5000 (token: $MLFLOW_TRACKING_TOKEN)")->required();
  ex->add_option("--experiment", a.experiment, "Only this experiment's runs (without ids)");
  ex->add_option("ids", a.ids, "Run ids (default: every run that has ended)");
  ex->callback([&] { status = guarded([&] { return export_runs(a); }); });
  CLI::App* rp = runs->add_subcommand("report", "One self-contained HTML page comparing runs: parameters side by side, curves and final metrics plotted together");
  rp->add_option("--tracking", a.tracking, kTrackingHelp);
  rp->add_option("--out", a.out, "The page to write")->capture_default_str();
  rp->add_option("--experiment", a.experiment, "Only this experiment's runs (without ids)");
  rp->add_option("--filter", a.filters, "Only runs where FIELD OP VALUE holds (without ids)");
  rp->add_option("--sort", a.sort, "Order by this metric, highest first ('-metric': lowest first; without ids)");
  rp->add_option("--limit", a.limit, "At most this many runs (without ids)");
  rp->add_option("ids", a.ids, "Run ids or unique prefixes (default: the runs selected by the options)");
  rp->callback([&] { status = guarded([&] { return report(a); }); });
  CLI::App* im = runs->add_subcommand("import", "Add runs from JSON files (what `runs show --json` writes); a run already there is skipped");
  im->add_option("--tracking", a.tracking, kTrackingHelp);
  im->add_option("files", a.files, "JSON files: a run document {\"run\", \"curves\"}, a list of them, or {\"runs\": [...]}")->required();
  im->callback([&] { status = guarded([&] { return import_runs(a); }); });
  CLI::App* cp = runs->add_subcommand("copy", "Copy runs into another store, e.g. from the SQLite file to a shared PostgreSQL (a run already there is skipped)");
  cp->add_option("--tracking", a.tracking, std::string("The store to copy from. ") + kTrackingHelp);
  cp->add_option("--to", a.to, "The store to copy to: a file or postgresql://USER@HOST/DB")->required();
  cp->add_option("--experiment", a.experiment, "Only this experiment's runs (without ids)");
  cp->add_option("--filter", a.filters, "Only runs where FIELD OP VALUE holds (without ids)");
  cp->add_option("ids", a.ids, "Run ids (default: every run)");
  cp->callback([&] { status = guarded([&] { return copy_runs(a); }); });
}

}  // namespace heartwave::cli
