// Beat selection and windowing around annotated R peaks, and RR intervals.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/beats/label_sets.hpp"

namespace heartwave {

// Window [R - before, R + after) around each R peak. The default is the
// original project's 187 samples at 360 Hz with R at index 93.
struct BeatWindow {
  int before = 93;
  int after = 94;
  int length() const { return before + after; }
};

struct LabeledBeat {
  std::int64_t r_sample = 0;
  int code = 0;   // WFDB annotation code
  int label = 0;  // class index in the label set
};

// Annotations that are samples in `set` and whose window lies inside
// [0, num_samples). Order follows the annotation file.
std::vector<LabeledBeat> select_beats(std::span<const Annotation> annotations, LabelSet set,
                                      std::int64_t num_samples, const BeatWindow& window = {});

// Copies each beat's window of `signal` into a row-major beats x window array.
// Throws InvalidArgument if a window does not fit.
std::vector<float> extract_windows(std::span<const double> signal, std::span<const LabeledBeat> beats,
                                   const BeatWindow& window = {});

// Sample times of the true beat annotations (WFDB isqrs), sorted.
std::vector<std::int64_t> beat_times(std::span<const Annotation> annotations);

}  // namespace heartwave
