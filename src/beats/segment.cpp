#include <algorithm>

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/beats/segment.hpp"
#include "heartwave/core/error.hpp"

namespace heartwave {

std::vector<LabeledBeat> select_beats(std::span<const Annotation> annotations, LabelSet set,
                                      std::int64_t num_samples, const BeatWindow& w) {
  if (w.before < 0 || w.after < 1) throw InvalidArgument("beat window must have before >= 0 and after >= 1");
  std::vector<LabeledBeat> out;
  for (const Annotation& a : annotations) {
    const auto cls = class_of(set, a.code);
    if (!cls) continue;
    if (a.time - w.before < 0 || a.time + w.after > num_samples) continue;
    out.push_back({a.time, a.code, *cls});
  }
  return out;
}

std::vector<float> extract_windows(std::span<const double> signal, std::span<const LabeledBeat> beats,
                                   const BeatWindow& w) {
  const auto len = static_cast<std::size_t>(w.length());
  std::vector<float> out(beats.size() * len);
  for (std::size_t i = 0; i < beats.size(); ++i) {
    const std::int64_t start = beats[i].r_sample - w.before;
    if (start < 0 || beats[i].r_sample + w.after > static_cast<std::int64_t>(signal.size()))
      throw InvalidArgument("beat at sample " + std::to_string(beats[i].r_sample) + " does not fit its window");
    const double* src = signal.data() + start;
    std::transform(src, src + len, out.begin() + static_cast<std::ptrdiff_t>(i * len),
                   [](double v) { return static_cast<float>(v); });
  }
  return out;
}

std::vector<std::int64_t> beat_times(std::span<const Annotation> annotations) {
  std::vector<std::int64_t> t;
  for (const Annotation& a : annotations)
    if (is_beat_code(a.code)) t.push_back(a.time);
  std::sort(t.begin(), t.end());
  return t;
}

}  // namespace heartwave
