#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace heartwave::cli {

Progress::Progress() : tty_(isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()), last_(start_) {}
Progress::~Progress() { finish(); }

void Progress::update(const std::string& stage, std::size_t done, std::size_t total) {
  if (!tty_) return;
  const auto now = std::chrono::steady_clock::now();
  // Draw only after the first second and at most 10 times a second.
  if (now - start_ < std::chrono::seconds(1) && done < total) return;
  if (now - last_ < std::chrono::milliseconds(100) && done < total) return;
  last_ = now;
  const int width = 30;
  const int filled = total ? static_cast<int>(width * done / total) : width;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = done ? elapsed * static_cast<double>(total - done) / static_cast<double>(done) : 0.0;
  std::fprintf(stderr, "\r%-8s [%.*s%*s] %zu/%zu  %.1fs elapsed, ETA %.1fs ", stage.c_str(), filled,
               "##############################", width - filled, "", done, total, elapsed, eta);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace heartwave::cli
