#include "heartwave/track/store.hpp"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <random>
#include <unordered_map>

#include "heartwave/core/error.hpp"
#include "heartwave/io/sha256.hpp"

namespace heartwave {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, experiment TEXT NOT NULL, status TEXT NOT NULL,
  start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL DEFAULT 0,
  git_commit TEXT NOT NULL DEFAULT '', git_dirty INTEGER NOT NULL DEFAULT 0,
  command TEXT NOT NULL DEFAULT '', host TEXT NOT NULL DEFAULT '', pid INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS runs_experiment ON runs(experiment, start_ms);
CREATE TABLE IF NOT EXISTS params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS tags (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, value REAL NOT NULL, time_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_run_key ON metrics(run_id, key, step);
CREATE TABLE IF NOT EXISTS latest_metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, value REAL NOT NULL,
  PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS artifacts (run_id TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
  kind TEXT NOT NULL, PRIMARY KEY (run_id, path));
)sql";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string hostname() {
  char b[256] = {};
  if (gethostname(b, sizeof b - 1) != 0) return "unknown";
  return b;
}

// Random ids, reseeded in a forked child (which would otherwise repeat its
// parent's sequence).
std::string new_run_id() {
  static thread_local std::mt19937_64 rng;
  static thread_local pid_t seeded = 0;
  if (seeded != getpid()) {
    seeded = getpid();
    std::random_device rd;
    rng.seed((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ static_cast<std::uint64_t>(now_ms()) ^ (static_cast<std::uint64_t>(seeded) << 20));
  }
  char b[33];
  std::snprintf(b, sizeof b, "%016llx%016llx", static_cast<unsigned long long>(rng()), static_cast<unsigned long long>(rng()));
  return b;
}

RunStatus status_of(const std::string& s) {
  if (s == "finished") return RunStatus::finished;
  if (s == "failed") return RunStatus::failed;
  return RunStatus::running;
}

}  // namespace

const char* run_status_name(RunStatus s) {
  switch (s) {
    case RunStatus::running: return "running";
    case RunStatus::finished: return "finished";
    case RunStatus::failed: return "failed";
  }
  return "?";
}

struct TrackingStore::Db {
  sqlite3* db = nullptr;
  std::string where;
  ~Db() {
    if (db) sqlite3_close(db);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw IoError(where + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
  }
  // SQLITE_BUSY can come back without the busy handler (e.g. while another
  // connection recovers the WAL, or sets the journal mode): retried for up to
  // ~10 s more.
  void exec(const char* sql) const {
    char* err = nullptr;
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 500; ++attempt) {
      rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      sqlite3_free(err);
      err = nullptr;
      usleep(20000);
    }
    if (rc != SQLITE_OK) {
      const std::string m = err ? err : "?";
      sqlite3_free(err);
      throw IoError(where + ": " + m);
    }
  }
};

namespace {

// A prepared statement, reset for each use.
class Stmt {
 public:
  Stmt(const TrackingStore::Db* d, const char* sql) : d_(d) {
    if (sqlite3_prepare_v2(d->db, sql, -1, &s_, nullptr) != SQLITE_OK) d->fail("prepare");
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(s_);
    for (int attempt = 0; (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 500; ++attempt) {
      sqlite3_reset(s_);
      usleep(20000);
      rc = sqlite3_step(s_);
    }
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) d_->fail("write");
    return false;
  }
  void run() {
    step();
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string text(int c) const {
    const auto* p = sqlite3_column_text(s_, c);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  double real(int c) const { return sqlite3_column_double(s_, c); }

 private:
  const TrackingStore::Db* d_;
  sqlite3_stmt* s_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when an exception leaves.
class Transaction {
 public:
  explicit Transaction(const TrackingStore::Db* d) : d_(d) { d_->exec("BEGIN IMMEDIATE"); }
  void commit() {
    d_->exec("COMMIT");
    done_ = true;
  }
  ~Transaction() {
    if (!done_) sqlite3_exec(d_->db, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  const TrackingStore::Db* d_;
  bool done_ = false;
};

}  // namespace

TrackingStore::TrackingStore(const std::filesystem::path& path) : db_(std::make_unique<Db>()), path_(path) {
  db_->where = "tracking store " + path.string();
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (sqlite3_open_v2(path.c_str(), &db_->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK)
    db_->fail("cannot open");
  sqlite3_busy_timeout(db_->db, 10000);
  db_->exec("PRAGMA journal_mode=WAL");
  db_->exec("PRAGMA synchronous=NORMAL");
  db_->exec("PRAGMA foreign_keys=ON");
  {
    Transaction t(db_.get());
    db_->exec(kSchema);
    t.commit();
  }
  recover_crashed();
}

TrackingStore::~TrackingStore() = default;

void TrackingStore::recover_crashed() {
  std::vector<std::pair<std::string, std::int64_t>> running;
  {
    Stmt s(db_.get(), "SELECT run_id, pid FROM runs WHERE status='running' AND host=?");
    s.bind(1, hostname());
    while (s.step()) running.emplace_back(s.text(0), s.i64(1));
  }
  for (const auto& [id, pid] : running) {
    if (pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM)) continue;  // still alive
    Stmt u(db_.get(), "UPDATE runs SET status='failed', end_ms=? WHERE run_id=? AND status='running'");
    u.bind(1, now_ms()).bind(2, id).run();
    Stmt t(db_.get(), "INSERT OR REPLACE INTO tags(run_id, key, value) VALUES (?, 'heartwave.end', 'the process ended without closing the run')");
    t.bind(1, id).run();
  }
}

std::string TrackingStore::start_run(const std::string& experiment, const std::string& command, const std::string& git_commit,
                                     bool git_dirty) {
  if (experiment.empty()) throw InvalidArgument("tracking: a run needs an experiment name");
  const std::string id = new_run_id();
  Stmt s(db_.get(), "INSERT INTO runs(run_id, experiment, status, start_ms, git_commit, git_dirty, command, host, pid) VALUES (?,?,?,?,?,?,?,?,?)");
  s.bind(1, id).bind(2, experiment).bind(3, std::string("running")).bind(4, now_ms()).bind(5, git_commit);
  s.bind(6, static_cast<std::int64_t>(git_dirty)).bind(7, command).bind(8, hostname()).bind(9, static_cast<std::int64_t>(getpid()));
  s.run();
  return id;
}

void TrackingStore::log_params(const std::string& run, const std::map<std::string, std::string>& params) {
  Transaction t(db_.get());
  Stmt s(db_.get(), "INSERT OR REPLACE INTO params(run_id, key, value) VALUES (?,?,?)");
  for (const auto& [k, v] : params) s.bind(1, run).bind(2, k).bind(3, v).run();
  t.commit();
}

void TrackingStore::set_tags(const std::string& run, const std::map<std::string, std::string>& tags) {
  Transaction t(db_.get());
  Stmt s(db_.get(), "INSERT OR REPLACE INTO tags(run_id, key, value) VALUES (?,?,?)");
  for (const auto& [k, v] : tags) s.bind(1, run).bind(2, k).bind(3, v).run();
  t.commit();
}

void TrackingStore::log_metrics(const std::string& run, const std::vector<MetricPoint>& points) {
  if (points.empty()) return;
  Transaction t(db_.get());
  Stmt s(db_.get(), "INSERT INTO metrics(run_id, key, step, value, time_ms) VALUES (?,?,?,?,?)");
  Stmt l(db_.get(),
         "INSERT INTO latest_metrics(run_id, key, step, value) VALUES (?,?,?,?) "
         "ON CONFLICT(run_id, key) DO UPDATE SET step=excluded.step, value=excluded.value WHERE excluded.step >= latest_metrics.step");
  const std::int64_t now = now_ms();
  for (const MetricPoint& p : points) {
    if (p.key.empty()) throw InvalidArgument("tracking: a metric without a name");
    s.bind(1, run).bind(2, p.key).bind(3, p.step).bind(4, p.value).bind(5, p.time_ms ? p.time_ms : now).run();
    l.bind(1, run).bind(2, p.key).bind(3, p.step).bind(4, p.value).run();
  }
  t.commit();
}

void TrackingStore::log_artifact(const std::string& run, const std::filesystem::path& path, const std::string& kind) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw IoError(path.string() + ": cannot read the artifact: " + ec.message());
  const std::string hash = sha256_file(path);
  Stmt s(db_.get(), "INSERT OR REPLACE INTO artifacts(run_id, path, sha256, size, kind) VALUES (?,?,?,?,?)");
  s.bind(1, run).bind(2, std::filesystem::absolute(path).lexically_normal().string()).bind(3, hash);
  s.bind(4, static_cast<std::int64_t>(size)).bind(5, kind).run();
}

void TrackingStore::end_run(const std::string& run, RunStatus status) {
  Stmt s(db_.get(), "UPDATE runs SET status=?, end_ms=? WHERE run_id=?");
  s.bind(1, std::string(run_status_name(status))).bind(2, now_ms()).bind(3, run).run();
}

std::optional<RunRecord> TrackingStore::run(const std::string& id) const {
  std::vector<std::string> ids;
  {
    Stmt s(db_.get(), "SELECT run_id FROM runs WHERE run_id >= ? AND run_id < ? LIMIT 2");
    s.bind(1, id).bind(2, id + "\x7f");
    while (s.step()) ids.push_back(s.text(0));
  }
  if (ids.size() != 1) {
    if (ids.size() > 1) throw InvalidArgument("tracking: run id prefix '" + id + "' matches more than one run");
    return std::nullopt;
  }
  RunQuery q;
  q.filters.push_back({"run_id", "=", ids[0]});
  auto r = runs(q);
  if (r.empty()) return std::nullopt;
  Stmt a(db_.get(), "SELECT path, sha256, size, kind FROM artifacts WHERE run_id=? ORDER BY path");
  a.bind(1, ids[0]);
  while (a.step()) r[0].artifacts.push_back({a.text(0), a.text(1), a.text(3), a.i64(2)});
  return r[0];
}

std::vector<MetricPoint> TrackingStore::metric_history(const std::string& run, const std::string& key) const {
  std::vector<MetricPoint> out;
  Stmt s(db_.get(), key.empty() ? "SELECT key, value, step, time_ms FROM metrics WHERE run_id=? ORDER BY key, step, rowid"
                                : "SELECT key, value, step, time_ms FROM metrics WHERE run_id=? AND key=? ORDER BY step, rowid");
  s.bind(1, run);
  if (!key.empty()) s.bind(2, key);
  while (s.step()) out.push_back({s.text(0), s.real(1), s.i64(2), s.i64(3)});
  return out;
}

std::vector<RunRecord> TrackingStore::runs(const RunQuery& q) const {
  std::string only;
  for (const auto& f : q.filters)
    if (f.field == "run_id") only = f.value;
  std::vector<RunRecord> out;
  std::unordered_map<std::string, std::size_t> at;
  at.reserve(1024);
  {
    Stmt s(db_.get(),
           only.empty() ? "SELECT run_id, experiment, status, start_ms, end_ms, git_commit, git_dirty, command, host, pid FROM runs "
                          "WHERE (?1 = '' OR experiment = ?1) ORDER BY start_ms DESC, run_id"
                        : "SELECT run_id, experiment, status, start_ms, end_ms, git_commit, git_dirty, command, host, pid FROM runs "
                          "WHERE run_id = ?2");
    s.bind(1, q.experiment);
    s.bind(2, only);
    while (s.step()) {
      RunRecord r;
      r.id = s.text(0), r.experiment = s.text(1), r.status = status_of(s.text(2));
      r.start_ms = s.i64(3), r.end_ms = s.i64(4), r.git_commit = s.text(5), r.git_dirty = s.i64(6) != 0;
      r.command = s.text(7), r.host = s.text(8), r.pid = s.i64(9);
      at[r.id] = out.size();
      out.push_back(std::move(r));
    }
  }
  auto fill = [&](const char* sql, auto&& put) {
    Stmt s(db_.get(), sql);
    s.bind(1, only);
    while (s.step())
      if (auto it = at.find(s.text(0)); it != at.end()) put(out[it->second], s);
  };
  bool params_needed = q.with_params;
  for (const auto& f : q.filters) params_needed = params_needed || f.field.rfind("params.", 0) == 0;
  if (params_needed)
    fill("SELECT run_id, key, value FROM params WHERE (?1 = '' OR run_id = ?1)", [](RunRecord& r, Stmt& s) { r.params[s.text(1)] = s.text(2); });
  fill("SELECT run_id, key, value FROM tags WHERE (?1 = '' OR run_id = ?1)", [](RunRecord& r, Stmt& s) { r.tags[s.text(1)] = s.text(2); });
  fill("SELECT run_id, key, value FROM latest_metrics WHERE (?1 = '' OR run_id = ?1)",
       [](RunRecord& r, Stmt& s) { r.metrics[s.text(1)] = s.real(2); });
  // Filters, then the order.
  auto holds = [](const RunRecord& r, const RunFilter& f) {
    if (f.field == "run_id") return true;
    std::optional<double> num;
    std::string text;
    bool have = true;
    if (f.field == "status") text = run_status_name(r.status);
    else if (f.field == "experiment") text = r.experiment;
    else if (f.field.rfind("params.", 0) == 0) {
      const auto it = r.params.find(f.field.substr(7));
      have = it != r.params.end();
      if (have) text = it->second;
    } else if (f.field.rfind("tags.", 0) == 0) {
      const auto it = r.tags.find(f.field.substr(5));
      have = it != r.tags.end();
      if (have) text = it->second;
    } else {
      const std::string key = f.field.rfind("metrics.", 0) == 0 ? f.field.substr(8) : f.field;
      const auto it = r.metrics.find(key);
      have = it != r.metrics.end();
      if (have) num = it->second;
    }
    if (!have) return false;
    char* end = nullptr;
    const double want = std::strtod(f.value.c_str(), &end);
    const bool numeric = end && *end == '\0' && !f.value.empty();
    if (!num && numeric) {
      char* e2 = nullptr;
      const double v = std::strtod(text.c_str(), &e2);
      if (e2 && *e2 == '\0' && !text.empty()) num = v;
    }
    if (num && numeric) {
      const double v = *num;
      if (f.op == "=") return v == want;
      if (f.op == "!=") return v != want;
      if (f.op == "<") return v < want;
      if (f.op == "<=") return v <= want;
      if (f.op == ">") return v > want;
      return v >= want;
    }
    const int c = text.compare(f.value);
    if (f.op == "=") return c == 0;
    if (f.op == "!=") return c != 0;
    if (f.op == "<") return c < 0;
    if (f.op == "<=") return c <= 0;
    if (f.op == ">") return c > 0;
    return c >= 0;
  };
  std::vector<RunRecord> kept;
  kept.reserve(out.size());
  for (auto& r : out) {
    bool ok = true;
    for (const auto& f : q.filters) ok = ok && holds(r, f);
    if (ok) kept.push_back(std::move(r));
  }
  if (!q.sort.empty()) {
    const bool ascending = q.sort[0] == '-';
    const std::string key = ascending ? q.sort.substr(1) : q.sort;
    std::stable_sort(kept.begin(), kept.end(), [&](const RunRecord& a, const RunRecord& b) {
      const auto x = a.metrics.find(key), y = b.metrics.find(key);
      if (x == a.metrics.end() || y == b.metrics.end()) return x != a.metrics.end() && y == b.metrics.end();  // missing last
      return ascending ? x->second < y->second : x->second > y->second;
    });
  }
  if (q.limit > 0 && kept.size() > q.limit) kept.resize(q.limit);
  return kept;
}

RunFilter parse_run_filter(const std::string& expr) {
  for (const char* op : {"!=", "<=", ">=", "=", "<", ">"}) {
    const auto at = expr.find(op);
    if (at == std::string::npos || at == 0) continue;
    RunFilter f{expr.substr(0, at), op, expr.substr(at + std::char_traits<char>::length(op))};
    while (!f.field.empty() && f.field.back() == ' ') f.field.pop_back();
    while (!f.value.empty() && f.value.front() == ' ') f.value.erase(0, 1);
    if (f.value.empty()) break;
    return f;
  }
  throw ParseError("--filter '" + expr + "': expected FIELD OP VALUE, e.g. 'accuracy>0.9' or 'params.seed=42' (OP: = != < <= > >=)");
}

std::filesystem::path tracking_path(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv("HEARTWAVE_TRACKING"); env && *env) return env;
  return std::filesystem::path("out") / "tracking.db";
}

}  // namespace heartwave
