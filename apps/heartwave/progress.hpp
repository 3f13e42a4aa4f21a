// A one-line progress display on stderr, drawn only when stderr is a terminal.
#pragma once
#include <chrono>
#include <string>

namespace heartwave::cli {

class Progress {
 public:
  Progress();
  ~Progress();
  void update(const std::string& stage, std::size_t done, std::size_t total);
  void finish();
  bool active() const { return tty_; }  // drawing (stderr is a terminal)

 private:
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace heartwave::cli
