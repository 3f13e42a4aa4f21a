// The tracking store's two databases behind one small interface: statements
// written once with numbered placeholders (?1, ?2, ...) in the SQL both
// SQLite and PostgreSQL accept, run on an embedded SQLite file
// (sql_sqlite.cpp) or a PostgreSQL server through libpq (sql_postgres.cpp).
// Internal to src/track.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace heartwave::track_sql {

// A statement with its parameters bound; step() gives the next row.
class Stmt {
 public:
  virtual ~Stmt() = default;
  virtual Stmt& bind(int i, const std::string& v) = 0;
  virtual Stmt& bind(int i, std::int64_t v) = 0;
  virtual Stmt& bind(int i, double v) = 0;
  virtual bool step() = 0;  // true: a row is there
  virtual void reset() = 0; // ready to bind and run again
  virtual std::string text(int c) const = 0;
  virtual std::int64_t i64(int c) const = 0;
  virtual double real(int c) const = 0;
  void run() {
    step();
    reset();
  }
};

class Conn {
 public:
  virtual ~Conn() = default;
  virtual std::unique_ptr<Stmt> prepare(const std::string& sql) = 0;
  virtual void exec(const std::string& sql) = 0;
  virtual void begin() = 0;  // a write transaction
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // The column that orders rows of equal step in insertion order.
  virtual const char* insertion_order() const = 0;
  // Claims a run for this connection's lifetime (PostgreSQL: an advisory
  // lock; SQLite: nothing, the process id says it) and tells whether a
  // running run's owner is gone (nullopt: the database cannot tell; the
  // caller asks the operating system about the process).
  virtual void claim(const std::string& run_id) = 0;
  virtual void release(const std::string& run_id) = 0;
  virtual int owner_gone(const std::string& run_id) = 0;  // 1 gone, 0 alive, -1 unknown
};

// Opens (creating the file, the folder and the schema) the SQLite store.
std::unique_ptr<Conn> open_sqlite(const std::string& path, const std::string& where);
// Connects to the PostgreSQL server of a postgresql:// or postgres:// URL
// (libpq's connection URI) and creates the schema if it is missing.
std::unique_ptr<Conn> open_postgres(const std::string& url, const std::string& where);
// The URL with its password replaced by "***", for messages.
std::string redact_url(const std::string& url);

}  // namespace heartwave::track_sql
