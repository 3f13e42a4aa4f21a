// Experiment tracking: every training, tuning, cross-validation, evaluation
// and folder analysis recorded as a run, with its parameters, metrics per
// step, final metrics, tags, artifacts (path, sha256, size), the code's git
// commit and the command line. The store is an embedded SQLite database
// (WAL mode, a busy timeout, one write transaction per batch), so several
// processes on one machine can log at once; network file systems are not
// supported (SQLite's locking is not reliable on them). For a team sharing
// one store, the same tables on a PostgreSQL server: a location of the form
// postgresql://USER@HOST/DB (libpq's connection URI). docs/tracking.md.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace heartwave {

enum class RunStatus { running, finished, failed };
const char* run_status_name(RunStatus s);

struct MetricPoint {
  std::string key;
  double value = 0;
  std::int64_t step = 0;
  std::int64_t time_ms = 0;
};

struct Artifact {
  std::string path, sha256, kind;
  std::int64_t size = 0;
};

struct RunRecord {
  std::string id, experiment;
  RunStatus status = RunStatus::running;
  std::int64_t start_ms = 0, end_ms = 0;  // end 0 while running
  std::string git_commit;
  bool git_dirty = false;
  std::string command, host;
  std::int64_t pid = 0;
  std::map<std::string, std::string> params, tags;
  std::map<std::string, double> metrics;  // each metric's last value (highest step)
  std::vector<Artifact> artifacts;
};

// A filter of `heartwave runs list --filter`: "metric>x", "metric<=x",
// "params.name=value", "status=finished", ...
struct RunFilter {
  std::string field;  // "metrics.<key>" (a bare name is a metric), "params.<key>", "tags.<key>", "status", "experiment"
  std::string op;     // = != < <= > >=
  std::string value;
};
// ParseError naming the expression.
RunFilter parse_run_filter(const std::string& expr);

struct RunQuery {
  std::string experiment;          // empty: all
  std::vector<RunFilter> filters;  // all must hold
  std::string sort;                // a metric name (highest first), "-name" lowest first; empty: newest first
  std::size_t limit = 0;           // 0: all
  bool with_params = true;         // false: parameters not read (unless a filter needs them)
};

class TrackingStore {
 public:
  // Opens (creating) the store at `path`, a file or a postgresql:// (or
  // postgres://) URL. Runs left "running" by a process that no longer
  // exists end as failed here: on SQLite, a process of this machine; on
  // PostgreSQL, one of any machine (its connection is gone). IoError naming
  // the store when it cannot be opened.
  explicit TrackingStore(const std::filesystem::path& path);
  static bool is_url(const std::string& location);
  ~TrackingStore();
  TrackingStore(const TrackingStore&) = delete;
  TrackingStore& operator=(const TrackingStore&) = delete;

  // A new run, status running, with this process's id and host.
  std::string start_run(const std::string& experiment, const std::string& command, const std::string& git_commit, bool git_dirty);
  void log_params(const std::string& run, const std::map<std::string, std::string>& params);
  void set_tags(const std::string& run, const std::map<std::string, std::string>& tags);
  // Points are written in one transaction; NaN and infinite values are not
  // stored.
  void log_metrics(const std::string& run, const std::vector<MetricPoint>& points);
  // The file's sha256 and size (IoError when it cannot be read).
  void log_artifact(const std::string& run, const std::filesystem::path& path, const std::string& kind);
  void end_run(const std::string& run, RunStatus status);
  // A run recorded elsewhere (another store, a JSON file), with its own id,
  // times, status and artifacts; false (nothing written) when a run of that
  // id is already here.
  bool import_run(const RunRecord& run, const std::vector<MetricPoint>& points);

  std::optional<RunRecord> run(const std::string& id) const;  // also a unique id prefix
  std::vector<RunRecord> runs(const RunQuery& q) const;
  std::vector<std::string> experiments() const;  // the names, sorted
  std::vector<MetricPoint> metric_history(const std::string& run, const std::string& key) const;
  // The file, or the URL with its password hidden.
  const std::filesystem::path& path() const { return path_; }

  struct Db;  // the database connection (store.cpp)

 private:
  std::unique_ptr<Db> db_;
  std::filesystem::path path_;
  void recover_crashed();
};

// The store's location: `explicit_path` when given, else $HEARTWAVE_TRACKING,
// else out/tracking.db (relative to the working folder).
std::filesystem::path tracking_path(const std::string& explicit_path);

}  // namespace heartwave
