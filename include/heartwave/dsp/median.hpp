// Baseline-wander removal with two cascaded median filters (200 ms then
// 600 ms), the method of de Chazal, O'Dwyer and Reilly (IEEE TBME 2004).
#pragma once
#include <span>
#include <vector>

namespace heartwave {

// Running median with an odd window; at the edges the signal is extended by
// repeating its end values (scipy.ndimage.median_filter(mode='nearest')).
// Throws InvalidArgument for an even or non-positive window.
std::vector<double> median_filter(std::span<const double> x, int window);

// Odd window (samples) closest to `seconds` at `fs`: 2 * round(seconds*fs/2) + 1.
int odd_window(double seconds, double fs);

// The baseline estimate: median_filter(median_filter(x, 200 ms), 600 ms).
std::vector<double> estimate_baseline(std::span<const double> x, double fs);
// x minus its baseline estimate.
std::vector<double> remove_baseline(std::span<const double> x, double fs);

}  // namespace heartwave
