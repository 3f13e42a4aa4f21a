// The tracking store on a PostgreSQL server through libpq, for a team (or
// tuning trials from several machines) sharing one store. The same tables
// as the SQLite file, with PostgreSQL's types; each running run holds a
// session advisory lock, so a run whose process died anywhere (its
// connection gone) is told from one still running on another machine.
#include <libpq-fe.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "heartwave/core/error.hpp"
#include "sql.hpp"

namespace heartwave::track_sql {

namespace {

constexpr const char* kSchema = R"sql(
BEGIN;
SELECT pg_advisory_xact_lock(7262011880413);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, experiment TEXT NOT NULL, status TEXT NOT NULL,
  start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL DEFAULT 0,
  git_commit TEXT NOT NULL DEFAULT '', git_dirty BIGINT NOT NULL DEFAULT 0,
  command TEXT NOT NULL DEFAULT '', host TEXT NOT NULL DEFAULT '', pid BIGINT NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS runs_experiment ON runs(experiment, start_ms);
CREATE TABLE IF NOT EXISTS params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS tags (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS metrics (seq BIGSERIAL PRIMARY KEY, run_id TEXT NOT NULL, key TEXT NOT NULL, step BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL, time_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_run_key ON metrics(run_id, key, step);
CREATE TABLE IF NOT EXISTS latest_metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS artifacts (run_id TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL,
  kind TEXT NOT NULL, PRIMARY KEY (run_id, path));
COMMIT;
)sql";

// ?N -> $N, and the highest N (the statement's parameter count: PostgreSQL
// must be able to infer the type of every parameter it is sent).
std::string to_dollars(const std::string& sql, int& params) {
  std::string out;
  out.reserve(sql.size());
  params = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '$';
      int n = 0;
      while (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
        n = n * 10 + (sql[++i] - '0');
        out += sql[i];
      }
      params = std::max(params, n);
    } else {
      out += sql[i];
    }
  }
  return out;
}

class Result {
 public:
  explicit Result(PGresult* r = nullptr) : r_(r) {}
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result& operator=(Result&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  ~Result() { PQclear(r_); }
  PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

class PgConn final : public track_sql::Conn {
 public:
  // The connection is closed on every way out, a failed start included
  // (PQconnectdb allocates even when it cannot connect).
  PgConn(const std::string& url, const std::string& where) : where_(where), owner_(PQconnectdb(url.c_str())) {
    pg_ = owner_.get();
    if (!pg_ || PQstatus(pg_) != CONNECTION_OK) fail("cannot connect");
    PQsetNoticeProcessor(pg_, [](void*, const char*) {}, nullptr);  // "relation already exists, skipping"
    exec(kSchema);
  }

  [[noreturn]] void fail(const std::string& what) const {
    std::string m = pg_ ? PQerrorMessage(pg_) : "out of memory";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    throw IoError(where_ + ": " + what + ": " + m);
  }
  void check(const Result& r, const char* what) const {
    const auto s = PQresultStatus(r.get());
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) fail(what);
  }
  Result run(const std::string& sql, const std::vector<std::string>& values, int n) const {
    std::vector<const char*> p(static_cast<std::size_t>(n), nullptr);
    for (int i = 0; i < n && static_cast<std::size_t>(i) < values.size(); ++i) p[static_cast<std::size_t>(i)] = values[static_cast<std::size_t>(i)].c_str();
    Result r(PQexecParams(pg_, sql.c_str(), n, nullptr, p.data(), nullptr, nullptr, 0));
    check(r, "query");
    return r;
  }

  std::unique_ptr<track_sql::Stmt> prepare(const std::string& sql) override;
  void exec(const std::string& sql) override {
    Result r(PQexec(pg_, sql.c_str()));
    check(r, "statement");
  }
  void begin() override { exec("BEGIN"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override { PQclear(PQexec(pg_, "ROLLBACK")); }
  const char* insertion_order() const override { return "seq"; }
  void claim(const std::string& run_id) override { run("SELECT pg_advisory_lock(hashtextextended($1, 0))", {run_id}, 1); }
  void release(const std::string& run_id) override { run("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {run_id}, 1); }
  int owner_gone(const std::string& run_id) override {
    const Result r = run("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", {run_id}, 1);
    const bool got = PQntuples(r.get()) == 1 && PQgetvalue(r.get(), 0, 0)[0] == 't';
    if (got) release(run_id);
    return got ? 1 : 0;
  }

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  std::string where_;
  std::unique_ptr<PGconn, Finish> owner_;
  PGconn* pg_ = nullptr;
};

// Parameters kept as text until step() runs the statement; its rows are then
// read from the whole result.
class PgStmt final : public track_sql::Stmt {
 public:
  PgStmt(const PgConn* c, const std::string& sql) : c_(c), sql_(to_dollars(sql, n_)) {}
  PgStmt& bind(int i, const std::string& v) override {
    set(i, v);
    return *this;
  }
  PgStmt& bind(int i, std::int64_t v) override {
    set(i, std::to_string(v));
    return *this;
  }
  PgStmt& bind(int i, double v) override {
    char b[40];
    std::snprintf(b, sizeof b, "%.17g", v);
    set(i, b);
    return *this;
  }
  bool step() override {
    if (!ran_) {
      res_ = c_->run(sql_, values_, n_);
      ran_ = true;
      row_ = -1;
    }
    return ++row_ < PQntuples(res_.get());
  }
  void reset() override {
    ran_ = false;
    res_ = Result();
    values_.clear();
  }
  std::string text(int c) const override { return PQgetvalue(res_.get(), row_, c); }
  std::int64_t i64(int c) const override { return std::strtoll(PQgetvalue(res_.get(), row_, c), nullptr, 10); }
  double real(int c) const override { return std::strtod(PQgetvalue(res_.get(), row_, c), nullptr); }

 private:
  void set(int i, std::string v) {
    if (i < 1 || i > n_) return;  // a parameter this statement does not use
    if (values_.size() < static_cast<std::size_t>(n_)) values_.resize(static_cast<std::size_t>(n_));
    values_[static_cast<std::size_t>(i - 1)] = std::move(v);
  }
  const PgConn* c_;
  int n_ = 0;
  std::string sql_;
  std::vector<std::string> values_;
  Result res_;
  bool ran_ = false;
  int row_ = -1;
};

std::unique_ptr<track_sql::Stmt> PgConn::prepare(const std::string& sql) { return std::make_unique<PgStmt>(this, sql); }

}  // namespace

std::unique_ptr<track_sql::Conn> open_postgres(const std::string& url, const std::string& where) {
  return std::make_unique<PgConn>(url, where);
}

std::string redact_url(const std::string& url) {
  std::string out = url;
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto start = scheme + 3;
    const auto at = out.find('@', start);
    const auto slash = out.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const auto colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... in the query string
  for (std::size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const auto end = out.find('&', p);
    out.replace(p + 9, (end == std::string::npos ? out.size() : end) - p - 9, "***");
  }
  return out;
}

}  // namespace heartwave::track_sql
