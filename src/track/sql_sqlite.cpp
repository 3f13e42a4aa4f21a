// The tracking store on an embedded SQLite file: WAL mode, a busy timeout,
// and retries on SQLITE_BUSY, so several processes of one machine can log
// at once.
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "heartwave/core/error.hpp"
#include "sql.hpp"

namespace heartwave::track_sql {

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

constexpr int kBusyAttempts = 500;  // x 20 ms: ~10 s beyond the busy timeout

class SqliteConn final : public track_sql::Conn {
 public:
  SqliteConn(const std::string& path, const std::string& where) : where_(where) {
    std::error_code ec;
    const std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK)
      fail("cannot open");
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    begin();
    exec(kSchema);
    commit();
  }
  ~SqliteConn() override { sqlite3_close(db_); }

  [[noreturn]] void fail(const std::string& what) const {
    throw IoError(where_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "cannot open"));
  }
  sqlite3* db() const { return db_; }

  std::unique_ptr<track_sql::Stmt> prepare(const std::string& sql) override;
  // SQLITE_BUSY can come back without the busy handler (e.g. while another
  // connection recovers the WAL, or sets the journal mode): retried.
  void exec(const std::string& sql) override {
    char* err = nullptr;
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < kBusyAttempts; ++attempt) {
      rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      sqlite3_free(err);
      err = nullptr;
      usleep(20000);
    }
    if (rc != SQLITE_OK) {
      const std::string m = err ? err : "?";
      sqlite3_free(err);
      throw IoError(where_ + ": " + m);
    }
  }
  void begin() override { exec("BEGIN IMMEDIATE"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
  const char* insertion_order() const override { return "rowid"; }
  void claim(const std::string&) override {}
  void release(const std::string&) override {}
  int owner_gone(const std::string&) override { return -1; }

 private:
  std::string where_;
  sqlite3* db_ = nullptr;
};

class SqliteStmt final : public track_sql::Stmt {
 public:
  SqliteStmt(const SqliteConn* c, const std::string& sql) : c_(c) {
    if (sqlite3_prepare_v2(c->db(), sql.c_str(), -1, &s_, nullptr) != SQLITE_OK) c->fail("prepare");
  }
  ~SqliteStmt() override { sqlite3_finalize(s_); }
  SqliteStmt& bind(int i, const std::string& v) override {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  SqliteStmt& bind(int i, std::int64_t v) override {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  SqliteStmt& bind(int i, double v) override {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  bool step() override {
    int rc = sqlite3_step(s_);
    for (int attempt = 0; (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < kBusyAttempts; ++attempt) {
      sqlite3_reset(s_);
      usleep(20000);
      rc = sqlite3_step(s_);
    }
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) c_->fail("write");
    return false;
  }
  void reset() override {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string text(int c) const override {
    const auto* p = sqlite3_column_text(s_, c);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : "";
  }
  std::int64_t i64(int c) const override { return sqlite3_column_int64(s_, c); }
  double real(int c) const override { return sqlite3_column_double(s_, c); }

 private:
  const SqliteConn* c_;
  sqlite3_stmt* s_ = nullptr;
};

std::unique_ptr<track_sql::Stmt> SqliteConn::prepare(const std::string& sql) { return std::make_unique<SqliteStmt>(this, sql); }

}  // namespace

std::unique_ptr<track_sql::Conn> open_sqlite(const std::string& path, const std::string& where) {
  return std::make_unique<SqliteConn>(path, where);
}

}  // namespace heartwave::track_sql
