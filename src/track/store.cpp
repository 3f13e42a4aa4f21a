#include "heartwave/track/store.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <random>
#include <unordered_map>

#include "heartwave/core/error.hpp"
#include "heartwave/io/sha256.hpp"
#include "sql.hpp"

namespace heartwave {

namespace {

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
  std::unique_ptr<track_sql::Conn> conn;
  // One connection, used by one thread at a time (the service reads the
  // store from several; a libpq connection is not thread-safe).
  std::recursive_mutex mutex;
  std::unique_ptr<track_sql::Stmt> prepare(const std::string& sql) const { return conn->prepare(sql); }
};

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

// A write transaction, rolled back when an exception leaves.
class Transaction {
 public:
  explicit Transaction(track_sql::Conn& c) : c_(c) { c_.begin(); }
  void commit() {
    c_.commit();
    done_ = true;
  }
  ~Transaction() {
    if (!done_) c_.rollback();
  }

 private:
  track_sql::Conn& c_;
  bool done_ = false;
};

constexpr const char* kUpsertParam =
    "INSERT INTO params(run_id, key, value) VALUES (?1,?2,?3) ON CONFLICT(run_id, key) DO UPDATE SET value=excluded.value";
constexpr const char* kUpsertTag =
    "INSERT INTO tags(run_id, key, value) VALUES (?1,?2,?3) ON CONFLICT(run_id, key) DO UPDATE SET value=excluded.value";
constexpr const char* kUpsertLatest =
    "INSERT INTO latest_metrics(run_id, key, step, value) VALUES (?1,?2,?3,?4) "
    "ON CONFLICT(run_id, key) DO UPDATE SET step=excluded.step, value=excluded.value WHERE excluded.step >= latest_metrics.step";
constexpr const char* kUpsertArtifact =
    "INSERT INTO artifacts(run_id, path, sha256, size, kind) VALUES (?1,?2,?3,?4,?5) "
    "ON CONFLICT(run_id, path) DO UPDATE SET sha256=excluded.sha256, size=excluded.size, kind=excluded.kind";
constexpr const char* kInsertRun =
    "INSERT INTO runs(run_id, experiment, status, start_ms, end_ms, git_commit, git_dirty, command, host, pid) "
    "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)";

// Points go in by rows of kRowsPerInsert per statement, and each key's last
// value once per batch (the point of the highest step, the last of equals:
// what upserting every point in order would leave), so a batch costs a few
// statements, not two per point: on PostgreSQL each statement is a round
// trip to the server.
constexpr std::size_t kRowsPerInsert = 250;

std::string multi_row_insert(std::size_t rows) {
  std::string sql = "INSERT INTO metrics(run_id, key, step, value, time_ms) VALUES ";
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t b = 2 + 4 * i;
    sql += (i ? ",(?1,?" : "(?1,?") + std::to_string(b) + ",?" + std::to_string(b + 1) + ",?" + std::to_string(b + 2) + ",?" +
           std::to_string(b + 3) + ")";
  }
  return sql;
}

void write_metrics(track_sql::Conn& c, const std::string& run, const std::vector<MetricPoint>& points, std::int64_t now) {
  std::vector<const MetricPoint*> kept;
  std::map<std::string, const MetricPoint*> last;
  for (const MetricPoint& p : points) {
    if (p.key.empty()) throw InvalidArgument("tracking: a metric without a name");
    if (!std::isfinite(p.value)) continue;
    kept.push_back(&p);
    auto& l = last[p.key];
    if (!l || p.step >= l->step) l = &p;
  }
  std::unique_ptr<track_sql::Stmt> full;
  for (std::size_t at = 0; at < kept.size(); at += kRowsPerInsert) {
    const std::size_t n = std::min(kRowsPerInsert, kept.size() - at);
    std::unique_ptr<track_sql::Stmt> partial;
    if (n == kRowsPerInsert && !full) full = c.prepare(multi_row_insert(n));
    if (n < kRowsPerInsert) partial = c.prepare(multi_row_insert(n));
    track_sql::Stmt& s = n == kRowsPerInsert ? *full : *partial;
    s.bind(1, run);
    for (std::size_t i = 0; i < n; ++i) {
      const MetricPoint& p = *kept[at + i];
      const int b = 2 + 4 * static_cast<int>(i);
      s.bind(b, p.key).bind(b + 1, p.step).bind(b + 2, p.value).bind(b + 3, p.time_ms ? p.time_ms : now);
    }
    s.run();
  }
  auto l = c.prepare(kUpsertLatest);
  for (const auto& [key, p] : last) l->bind(1, run).bind(2, key).bind(3, p->step).bind(4, p->value).run();
}

void write_pairs(track_sql::Conn& c, const char* sql, const std::string& run, const std::map<std::string, std::string>& kv) {
  auto s = c.prepare(sql);
  for (const auto& [k, v] : kv) s->bind(1, run).bind(2, k).bind(3, v).run();
}

}  // namespace

bool TrackingStore::is_url(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

TrackingStore::TrackingStore(const std::filesystem::path& path) : db_(std::make_unique<Db>()), path_(path) {
  const std::string location = path.string();
  if (is_url(location)) {
    path_ = track_sql::redact_url(location);
    db_->conn = track_sql::open_postgres(location, "tracking store " + path_.string());
  } else {
    db_->conn = track_sql::open_sqlite(location, "tracking store " + location);
  }
  recover_crashed();
}

TrackingStore::~TrackingStore() = default;

void TrackingStore::recover_crashed() {
  Lock lock(db_->mutex);
  std::vector<std::tuple<std::string, std::string, std::int64_t>> running;
  {
    auto s = db_->prepare("SELECT run_id, host, pid FROM runs WHERE status='running'");
    while (s->step()) running.emplace_back(s->text(0), s->text(1), s->i64(2));
  }
  const std::string here = hostname();
  for (const auto& [id, host, pid] : running) {
    int gone = db_->conn->owner_gone(id);
    if (gone < 0) {  // the database cannot tell: ask this machine about the process
      if (host != here) continue;
      gone = pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) ? 0 : 1;
    }
    if (!gone) continue;
    auto u = db_->prepare("UPDATE runs SET status='failed', end_ms=?1 WHERE run_id=?2 AND status='running'");
    u->bind(1, now_ms()).bind(2, id).run();
    write_pairs(*db_->conn, kUpsertTag, id, {{"heartwave.end", "the process ended without closing the run"}});
  }
}

std::string TrackingStore::start_run(const std::string& experiment, const std::string& command, const std::string& git_commit,
                                     bool git_dirty) {
  if (experiment.empty()) throw InvalidArgument("tracking: a run needs an experiment name");
  Lock lock(db_->mutex);
  const std::string id = new_run_id();
  db_->conn->claim(id);  // before the row exists, so no other process takes it for a crashed run
  auto s = db_->prepare(kInsertRun);
  s->bind(1, id).bind(2, experiment).bind(3, std::string("running")).bind(4, now_ms()).bind(5, std::int64_t{0}).bind(6, git_commit);
  s->bind(7, static_cast<std::int64_t>(git_dirty)).bind(8, command).bind(9, hostname()).bind(10, static_cast<std::int64_t>(getpid()));
  s->run();
  return id;
}

void TrackingStore::log_params(const std::string& run, const std::map<std::string, std::string>& params) {
  Lock lock(db_->mutex);
  Transaction t(*db_->conn);
  write_pairs(*db_->conn, kUpsertParam, run, params);
  t.commit();
}

void TrackingStore::set_tags(const std::string& run, const std::map<std::string, std::string>& tags) {
  Lock lock(db_->mutex);
  Transaction t(*db_->conn);
  write_pairs(*db_->conn, kUpsertTag, run, tags);
  t.commit();
}

void TrackingStore::log_metrics(const std::string& run, const std::vector<MetricPoint>& points) {
  if (points.empty()) return;
  Lock lock(db_->mutex);
  Transaction t(*db_->conn);
  write_metrics(*db_->conn, run, points, now_ms());
  t.commit();
}

void TrackingStore::log_artifact(const std::string& run, const std::filesystem::path& path, const std::string& kind) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw IoError(path.string() + ": cannot read the artifact: " + ec.message());
  const std::string hash = sha256_file(path);
  Lock lock(db_->mutex);
  auto s = db_->prepare(kUpsertArtifact);
  s->bind(1, run).bind(2, std::filesystem::absolute(path).lexically_normal().string()).bind(3, hash);
  s->bind(4, static_cast<std::int64_t>(size)).bind(5, kind).run();
}

void TrackingStore::end_run(const std::string& run, RunStatus status) {
  Lock lock(db_->mutex);
  auto s = db_->prepare("UPDATE runs SET status=?1, end_ms=?2 WHERE run_id=?3");
  s->bind(1, std::string(run_status_name(status))).bind(2, now_ms()).bind(3, run).run();
  if (status != RunStatus::running) db_->conn->release(run);
}

bool TrackingStore::import_run(const RunRecord& r, const std::vector<MetricPoint>& points) {
  if (r.id.empty() || r.experiment.empty()) throw InvalidArgument("tracking: an imported run needs an id and an experiment");
  Lock lock(db_->mutex);
  Transaction t(*db_->conn);
  {
    auto s = db_->prepare("SELECT 1 FROM runs WHERE run_id=?1");
    s->bind(1, r.id);
    if (s->step()) return false;  // rolled back: nothing was written
  }
  auto s = db_->prepare(kInsertRun);
  s->bind(1, r.id).bind(2, r.experiment).bind(3, std::string(run_status_name(r.status))).bind(4, r.start_ms).bind(5, r.end_ms);
  s->bind(6, r.git_commit).bind(7, static_cast<std::int64_t>(r.git_dirty)).bind(8, r.command).bind(9, r.host).bind(10, r.pid);
  s->run();
  write_pairs(*db_->conn, kUpsertParam, r.id, r.params);
  write_pairs(*db_->conn, kUpsertTag, r.id, r.tags);
  write_metrics(*db_->conn, r.id, points, r.start_ms);
  auto a = db_->prepare(kUpsertArtifact);
  for (const auto& x : r.artifacts) a->bind(1, r.id).bind(2, x.path).bind(3, x.sha256).bind(4, x.size).bind(5, x.kind).run();
  t.commit();
  return true;
}

std::optional<RunRecord> TrackingStore::run(const std::string& id) const {
  if (id.empty()) return std::nullopt;
  Lock lock(db_->mutex);
  std::vector<std::string> ids;
  {
    auto s = db_->prepare("SELECT run_id FROM runs WHERE substr(run_id, 1, length(CAST(?1 AS TEXT))) = CAST(?1 AS TEXT) LIMIT 2");
    s->bind(1, id);
    while (s->step()) ids.push_back(s->text(0));
  }
  if (ids.size() != 1) {
    if (ids.size() > 1) throw InvalidArgument("tracking: run id prefix '" + id + "' matches more than one run");
    return std::nullopt;
  }
  RunQuery q;
  q.filters.push_back({"run_id", "=", ids[0]});
  auto r = runs(q);
  if (r.empty()) return std::nullopt;
  auto a = db_->prepare("SELECT path, sha256, size, kind FROM artifacts WHERE run_id=?1 ORDER BY path");
  a->bind(1, ids[0]);
  while (a->step()) r[0].artifacts.push_back({a->text(0), a->text(1), a->text(3), a->i64(2)});
  return r[0];
}

std::vector<MetricPoint> TrackingStore::metric_history(const std::string& run, const std::string& key) const {
  Lock lock(db_->mutex);
  std::vector<MetricPoint> out;
  const std::string order = db_->conn->insertion_order();
  auto s = db_->prepare(key.empty() ? "SELECT key, value, step, time_ms FROM metrics WHERE run_id=?1 ORDER BY key, step, " + order
                                    : "SELECT key, value, step, time_ms FROM metrics WHERE run_id=?1 AND key=?2 ORDER BY step, " + order);
  s->bind(1, run);
  if (!key.empty()) s->bind(2, key);
  while (s->step()) out.push_back({s->text(0), s->real(1), s->i64(2), s->i64(3)});
  return out;
}

std::vector<std::string> TrackingStore::experiments() const {
  Lock lock(db_->mutex);
  std::vector<std::string> out;
  auto s = db_->prepare("SELECT DISTINCT experiment FROM runs ORDER BY experiment");
  while (s->step()) out.push_back(s->text(0));
  return out;
}

std::vector<RunRecord> TrackingStore::runs(const RunQuery& q) const {
  Lock lock(db_->mutex);
  std::string only;
  for (const auto& f : q.filters)
    if (f.field == "run_id") only = f.value;
  std::vector<RunRecord> out;
  std::unordered_map<std::string, std::size_t> at;
  at.reserve(1024);
  {
    constexpr const char* kColumns = "SELECT run_id, experiment, status, start_ms, end_ms, git_commit, git_dirty, command, host, pid FROM runs ";
    auto s = db_->prepare(only.empty() ? std::string(kColumns) + "WHERE (CAST(?1 AS TEXT) = '' OR experiment = ?1) ORDER BY start_ms DESC, run_id"
                                       : std::string(kColumns) + "WHERE run_id = ?1");
    s->bind(1, only.empty() ? q.experiment : only);
    while (s->step()) {
      RunRecord r;
      r.id = s->text(0), r.experiment = s->text(1), r.status = status_of(s->text(2));
      r.start_ms = s->i64(3), r.end_ms = s->i64(4), r.git_commit = s->text(5), r.git_dirty = s->i64(6) != 0;
      r.command = s->text(7), r.host = s->text(8), r.pid = s->i64(9);
      at[r.id] = out.size();
      out.push_back(std::move(r));
    }
  }
  auto fill = [&](const char* table, auto&& put) {
    // One run by its key (an indexed lookup; `runs copy` and `report` read
    // each selected run so), or the whole table once.
    auto s = db_->prepare(std::string("SELECT run_id, key, value FROM ") + table + (only.empty() ? "" : " WHERE run_id = ?1"));
    if (!only.empty()) s->bind(1, only);
    while (s->step())
      if (auto it = at.find(s->text(0)); it != at.end()) put(out[it->second], *s);
  };
  bool params_needed = q.with_params;
  for (const auto& f : q.filters) params_needed = params_needed || f.field.rfind("params.", 0) == 0;
  using S = track_sql::Stmt;
  if (params_needed) fill("params", [](RunRecord& r, S& s) { r.params[s.text(1)] = s.text(2); });
  fill("tags", [](RunRecord& r, S& s) { r.tags[s.text(1)] = s.text(2); });
  fill("latest_metrics", [](RunRecord& r, S& s) { r.metrics[s.text(1)] = s.real(2); });
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
