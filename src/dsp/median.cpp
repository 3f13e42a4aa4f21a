#include <algorithm>
#include <cmath>

#include "heartwave/dsp/median.hpp"
#include "heartwave/core/error.hpp"

namespace heartwave {

int odd_window(double seconds, double fs) {
  if (!(seconds > 0.0) || !(fs > 0.0)) throw InvalidArgument("odd_window: seconds and fs must be positive");
  return 2 * static_cast<int>(std::lround(seconds * fs / 2.0)) + 1;
}

std::vector<double> median_filter(std::span<const double> x, int window) {
  if (window < 1 || window % 2 == 0)
    throw InvalidArgument("median_filter: window must be odd and positive, got " + std::to_string(window));
  const std::size_t n = x.size();
  std::vector<double> out(n);
  if (n == 0) return out;
  const auto half = static_cast<std::ptrdiff_t>(window / 2);
  auto at = [&](std::ptrdiff_t i) {
    return x[static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(i, 0, static_cast<std::ptrdiff_t>(n) - 1))];
  };
  // Sorted window maintained by binary insertion/removal: O(n * w) moves, but
  // they are memmoves of a few hundred doubles and beat heap-based schemes here.
  std::vector<double> win;
  win.reserve(static_cast<std::size_t>(window));
  for (std::ptrdiff_t i = -half; i <= half; ++i) win.insert(std::upper_bound(win.begin(), win.end(), at(i)), at(i));
  for (std::size_t t = 0; t < n; ++t) {
    out[t] = win[static_cast<std::size_t>(half)];
    if (t + 1 == n) break;
    const double leaving = at(static_cast<std::ptrdiff_t>(t) - half);
    const double entering = at(static_cast<std::ptrdiff_t>(t) + half + 1);
    win.erase(std::lower_bound(win.begin(), win.end(), leaving));
    win.insert(std::upper_bound(win.begin(), win.end(), entering), entering);
  }
  return out;
}

std::vector<double> estimate_baseline(std::span<const double> x, double fs) {
  const auto first = median_filter(x, odd_window(0.2, fs));
  return median_filter(first, odd_window(0.6, fs));
}

std::vector<double> remove_baseline(std::span<const double> x, double fs) {
  const auto base = estimate_baseline(x, fs);
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] - base[i];
  return out;
}

}  // namespace heartwave
