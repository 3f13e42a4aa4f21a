#include <algorithm>
#include <cmath>

#include "heartwave/baseline.hpp"
#include "heartwave/error.hpp"
#include "heartwave/features.hpp"
#include "heartwave/preprocess.hpp"
#include "heartwave/resample.hpp"

namespace heartwave {

FilterCoefficients Preprocessing::coefficients() const {
  return butter(filter_order, filter_cutoff_hz, filter_type, fs);
}

RecordBeats extract_beats(const Recording& rec, std::span<const Annotation> annotations, LabelSet labels,
                          const Preprocessing& pre) {
  if (pre.lead < 0 || static_cast<std::size_t>(pre.lead) >= rec.samples.size())
    throw InvalidArgument(rec.name + ": lead " + std::to_string(pre.lead) + " does not exist (the record has " +
                          std::to_string(rec.samples.size()) + " signals)");
  return extract_beats(rec.name, rec.samples[static_cast<std::size_t>(pre.lead)], rec.fs, annotations, labels, pre);
}

RecordBeats extract_beats(const std::string& name, std::span<const double> lead, double fs,
                          std::span<const Annotation> annotations, LabelSet labels, const Preprocessing& pre) {
  RecordBeats out;
  out.record = name;
  // The lead is used as it is unless it must change (resampling, missing
  // samples, baseline removal): then a working copy is made.
  std::vector<double> work;
  std::span<const double> signal = lead;
  std::vector<Annotation> anns(annotations.begin(), annotations.end());
  auto writable = [&]() -> std::vector<double>& {
    if (work.empty()) work.assign(signal.begin(), signal.end());
    signal = work;
    return work;
  };
  if (fs != pre.fs) {
    work = resample(lead, fs, pre.fs);
    signal = work;
    const double ratio = pre.fs / fs;
    for (auto& a : anns) a.time = std::llround(static_cast<double>(a.time) * ratio);
  }
  if (std::any_of(signal.begin(), signal.end(), [](double v) { return std::isnan(v); }))
    for (double& v : writable())
      if (std::isnan(v)) v = 0.0;  // missing samples: flat line rather than NaN poisoning the filters
  if (pre.remove_baseline) {
    work = remove_baseline(signal, pre.fs);
    signal = work;
  }

  out.beats = select_beats(anns, labels, static_cast<std::int64_t>(signal.size()), pre.window);
  out.windows = extract_windows(signal, out.beats, pre.window);
  finish_beats(out, beat_times(anns), pre);
  return out;
}

void finish_beats(RecordBeats& out, std::span<const std::int64_t> times, const Preprocessing& pre) {
  const auto len = static_cast<std::size_t>(pre.window.length());
  const std::size_t n = out.beats.size();
  if (out.windows.size() != n * len)
    throw InvalidArgument(out.record + ": " + std::to_string(out.windows.size()) + " window samples for " + std::to_string(n) +
                          " beats of " + std::to_string(len));
  if (pre.filter_beats && n > 0) {
    const ZeroPhaseFilter f(pre.coefficients());
    std::vector<double> in(len), filtered(len), scratch;
    for (std::size_t i = 0; i < n; ++i) {
      float* w = out.windows.data() + i * len;
      std::copy(w, w + len, in.begin());
      f.apply(in, filtered, scratch);
      std::transform(filtered.begin(), filtered.end(), w, [](double v) { return static_cast<float>(v); });
    }
  }
  std::vector<std::int64_t> at(n);
  for (std::size_t i = 0; i < n; ++i) at[i] = out.beats[i].r_sample;
  const auto rr = rr_features(times, at, pre.fs);
  const std::vector<float> tmpl = median_template(out.windows, len);
  out.features.resize(n * kNumFeatures);
  for (std::size_t i = 0; i < n; ++i) {
    float* f = out.features.data() + i * kNumFeatures;
    beat_features({out.windows.data() + i * len, len}, rr[i], tmpl, pre.window.before, {f, kNumFeatures});
  }
}

void beat_features(std::span<const float> beat, const RRFeatures& rr, std::span<const float> tmpl, int r_index,
                   std::span<float> out) {
  for (std::size_t k = 0; k < kNumRRFeatures; ++k) out[k] = static_cast<float>(rr[k]);
  morphology_features(beat, r_index, out.subspan(kNumRRFeatures, kNumMorphologyFeatures));
  template_features(beat, tmpl, r_index, out.subspan(kNumRRFeatures + kNumMorphologyFeatures, kNumTemplateFeatures));
}

}  // namespace heartwave
