// Runs the real heartwave binary (HEARTWAVE_BINARY) through the shell, as a
// user would, and returns its exit status and its output (stdout and stderr).
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace heartwave::test {

struct CliResult {
  int status;
  std::string out;
};

// `env`: variable assignments put before the command, e.g. "HEARTWAVE_MODEL=m.hwm".
inline CliResult run_cli(const std::string& args, const std::string& env = "") {
  const std::string cmd = env + " " + std::string(HEARTWAVE_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

}  // namespace heartwave::test
