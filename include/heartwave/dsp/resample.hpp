// Sample-rate conversion (libsamplerate, band-limited sinc interpolation).
#pragma once
#include <span>
#include <vector>

namespace heartwave {

inline constexpr double kTargetFs = 360.0;  // the MIT-BIH rate the models expect

// Resamples x from fs_in to fs_out. Output length: round(n * fs_out / fs_in).
// Identity (a copy) when the rates are equal. Throws InvalidArgument.
std::vector<double> resample(std::span<const double> x, double fs_in, double fs_out = kTargetFs);

}  // namespace heartwave
