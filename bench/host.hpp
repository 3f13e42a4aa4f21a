// The line every timing table starts with: which host and which commit
// produced it. Timings of one binary differ two- to threefold between the
// shared hosts this project runs on, so a figure without its host cannot be
// compared with another.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace heartwave::bench {

// "model name", "cpu MHz" and "cache size" of the first CPU in /proc/cpuinfo
// (virtual machines often report a generic model name; the clock and cache
// still tell hosts apart).
inline std::string host_line() {
  std::string cpu = "unknown CPU", mhz, cache;
  std::ifstream in("/proc/cpuinfo");
  const auto value = [](const std::string& line) {
    const auto colon = line.find(':');
    return colon == std::string::npos || colon + 2 > line.size() ? std::string() : line.substr(colon + 2);
  };
  for (std::string line; std::getline(in, line) && line.find_first_not_of(" \t") != std::string::npos;) {
    if (line.rfind("model name", 0) == 0) cpu = value(line);
    else if (line.rfind("cpu MHz", 0) == 0) mhz = value(line);
    else if (line.rfind("cache size", 0) == 0) cache = value(line);
  }
  std::string out = "host: " + cpu;
  if (!mhz.empty()) out += ", " + mhz + " MHz";
  if (!cache.empty()) out += ", cache " + cache;
  return out + ", " + std::to_string(std::thread::hardware_concurrency()) + " CPUs; commit " + HEARTWAVE_GIT_COMMIT;
}

// The MIT-BIH folder the benchmarks read: $HEARTWAVE_DATA, else
// ../shared/data/mitdb beside the source tree (as the CLI's default, but
// independent of the folder a benchmark is started from).
inline std::filesystem::path default_database() {
  if (const char* env = std::getenv("HEARTWAVE_DATA"); env && *env) return env;
  return std::filesystem::path(HEARTWAVE_SOURCE_DIR) / ".." / "shared" / "data" / "mitdb";
}

}  // namespace heartwave::bench
