// A real PostgreSQL server for the tests of the tracking store on
// PostgreSQL: initdb in a temporary folder, started by pg_ctl on a Unix
// socket in that folder (no TCP port), stopped and removed at exit. As root
// it runs as `nobody` (PostgreSQL refuses to run as root). Fails the test
// loudly when Debian's postgresql package is missing (scripts/setup.sh
// installs it).
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace heartwave::test {

class PgServer {
 public:
  // The server of this test process, started on first use.
  static PgServer& shared() {
    static PgServer s;
    return s;
  }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  // A new, empty database on the server, as a libpq URL.
  std::string new_database() {
    const std::string name = "hw_" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
    if (!sh(client("createdb") + " -h " + dir_ + " -U heartwave " + name)) ADD_FAILURE() << "createdb " << name << " failed";
    return url(name);
  }
  std::string url(const std::string& db) const { return "postgresql://heartwave@/" + db + "?host=" + dir_; }
  ~PgServer() {
    if (started_) sh(as_owner(bin_ + "/pg_ctl") + " -D " + dir_ + "/data -m immediate -w stop > /dev/null 2>&1");
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

 private:
  PgServer() {
    for (const char* v : {"17", "16", "15", "14", "13"})
      if (std::filesystem::exists(std::string("/usr/lib/postgresql/") + v + "/bin/initdb")) {
        bin_ = std::string("/usr/lib/postgresql/") + v + "/bin";
        break;
      }
    if (bin_.empty()) {
      error_ = "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql (scripts/setup.sh)";
      return;
    }
    char tmpl[] = "/tmp/hwpg-XXXXXX";
    if (!mkdtemp(tmpl)) {
      error_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    if (geteuid() == 0 && !sh("chown nobody " + dir_)) {
      error_ = "chown nobody " + dir_ + " failed";
      return;
    }
    const std::string log = dir_ + "/server.log";
    if (!sh(as_owner(bin_ + "/initdb") + " -D " + dir_ + "/data -U heartwave -A trust -E UTF8 --locale=C --no-sync > " + dir_ +
            "/initdb.log 2>&1")) {
      error_ = "initdb failed: see " + dir_ + "/initdb.log";
      return;
    }
    started_ = sh(as_owner(bin_ + "/pg_ctl") + " -D " + dir_ + "/data -l " + log + " -w -t 60 -o \"-k " + dir_ +
                  " -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start > /dev/null 2>&1");
    if (!started_) {
      error_ = "pg_ctl start failed: see " + log;
      return;
    }
    ok_ = true;
  }
  std::string as_owner(const std::string& cmd) const { return geteuid() == 0 ? "runuser -u nobody -- " + cmd : cmd; }
  std::string client(const std::string& name) const { return bin_ + "/" + name; }
  static bool sh(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

  std::string bin_, dir_, error_;
  bool ok_ = false, started_ = false;
  int databases_ = 0;
};

}  // namespace heartwave::test
