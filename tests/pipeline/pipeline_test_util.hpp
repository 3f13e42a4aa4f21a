// Helpers of the pipeline tests: a temporary folder per test holding a tiny
// pipeline of `sh` commands, file helpers, the heartwave binary run.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "heartwave/pipeline/repro.hpp"

namespace hwtest {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "heartwave-pipeline-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& rel) const { return path / rel; }
};

inline void write(const fs::path& p, const std::string& text) {
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

inline std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline int lines(const fs::path& p) {
  std::ifstream in(p);
  int n = 0;
  for (std::string l; std::getline(in, l);) ++n;
  return n;
}

// Polls until `pred` holds (true) or `seconds` pass (false).
template <class Pred>
bool wait_for(Pred pred, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

struct Repro {
  heartwave::pipeline::ReproResult result;
  std::string log;
};

inline Repro repro(const fs::path& dir, heartwave::pipeline::ReproOptions opt = {}) {
  const auto p = heartwave::pipeline::load_pipeline(dir / "pipeline.yaml");
  std::ostringstream log;
  Repro r;
  r.result = heartwave::pipeline::reproduce(p, opt, log);
  r.log = log.str();
  return r;
}

inline std::vector<heartwave::pipeline::StageStatus> statuses(const fs::path& dir) {
  return heartwave::pipeline::pipeline_status(heartwave::pipeline::load_pipeline(dir / "pipeline.yaml"));
}

// Runs the heartwave binary with these arguments (stderr with stdout); returns its exit status.
inline int heartwave(const std::string& args, std::string& output) {
  const std::string cmd = std::string(HEARTWAVE_BINARY) + " " + args + " 2>&1";
  std::FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return -1;
  output.clear();
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) output.append(buf, n);
  const int st = ::pclose(f);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace hwtest
