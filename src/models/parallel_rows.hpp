// Private to src/models: a batch of rows shared out over threads.
#pragma once
#include <algorithm>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace heartwave {

// Calls fn(begin, end) on contiguous ranges covering [0, rows), on at most
// `threads` threads and with at least `min_rows` rows per thread (thread
// start-up costs more than a few rows of work); on this thread when one range.
inline void parallel_rows(std::size_t rows, int threads, std::size_t min_rows,
                          const std::function<void(std::size_t, std::size_t)>& fn) {
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)),
                                              std::max<std::size_t>(1, rows / std::max<std::size_t>(1, min_rows)));
  if (n <= 1) return fn(0, rows);
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < n; ++t) pool.emplace_back(fn, rows * t / n, rows * (t + 1) / n);
  for (auto& th : pool) th.join();
}

}  // namespace heartwave
