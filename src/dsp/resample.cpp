#include "heartwave/dsp/resample.hpp"

#include <samplerate.h>

#include <cmath>

#include "heartwave/core/error.hpp"

namespace heartwave {

std::vector<double> resample(std::span<const double> x, double fs_in, double fs_out) {
  if (!(fs_in > 0.0) || !(fs_out > 0.0) || !std::isfinite(fs_in) || !std::isfinite(fs_out))
    throw InvalidArgument("resample: sampling rates must be positive and finite");
  const double ratio = fs_out / fs_in;
  if (ratio > 256.0 || ratio < 1.0 / 256.0)
    throw InvalidArgument("resample: ratio " + std::to_string(ratio) + " outside [1/256, 256]");
  if (fs_in == fs_out) return {x.begin(), x.end()};
  const auto n_out = static_cast<std::size_t>(std::llround(static_cast<double>(x.size()) * ratio));
  if (x.empty()) return {};
  std::vector<float> in(x.begin(), x.end());
  // libsamplerate keeps a filter delay; feed the input then flush with zeros
  // so that n_out frames emerge.
  std::vector<float> out(n_out + 16);
  int err = 0;
  SRC_STATE* st = src_new(SRC_SINC_BEST_QUALITY, 1, &err);
  if (!st) throw InvalidArgument(std::string("resample: ") + src_strerror(err));
  SRC_DATA d{};
  d.data_in = in.data();
  d.input_frames = static_cast<long>(in.size());
  d.data_out = out.data();
  d.output_frames = static_cast<long>(out.size());
  d.src_ratio = ratio;
  d.end_of_input = 1;
  std::size_t produced = 0;
  while (true) {
    err = src_process(st, &d);
    if (err) {
      src_delete(st);
      throw InvalidArgument(std::string("resample: ") + src_strerror(err));
    }
    produced += static_cast<std::size_t>(d.output_frames_gen);
    d.data_in += d.input_frames_used;
    d.input_frames -= d.input_frames_used;
    d.data_out += d.output_frames_gen;
    d.output_frames -= d.output_frames_gen;
    if (d.output_frames_gen == 0 || d.output_frames <= 0) break;
  }
  src_delete(st);
  std::vector<double> result(n_out, 0.0);
  for (std::size_t i = 0; i < std::min(n_out, produced); ++i) result[i] = out[i];
  // If the converter stopped a sample short, repeat the last value.
  for (std::size_t i = produced; i < n_out && produced > 0; ++i) result[i] = result[produced - 1];
  return result;
}

}  // namespace heartwave
