#include <algorithm>
#include <cmath>

#include "heartwave/dsp/median.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/features/extract.hpp"
#include "heartwave/dsp/resample.hpp"

namespace heartwave {

FilterCoefficients Preprocessing::coefficients() const {
  return butter(filter_order, filter_cutoff_hz, filter_type, fs);
}

std::size_t Preprocessing::choose_lead(const std::vector<std::string>& names, const std::string& record) const {
  if (!lead_name.empty()) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == lead_name) return i;
    // MLII is the limb lead II; 12-lead databases (INCART) name it so.
    if (lead_name == "MLII")
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == "II") return i;
  }
  if (lead < 0 || static_cast<std::size_t>(lead) >= names.size())
    throw InvalidArgument(record + ": lead " + (lead_name.empty() ? "" : "'" + lead_name + "' not found and lead ") +
                          std::to_string(lead) + " does not exist (the record has " + std::to_string(names.size()) + " signals)");
  return static_cast<std::size_t>(lead);
}

std::size_t Preprocessing::choose_second_lead(const std::vector<std::string>& names, const std::string& record) const {
  const std::size_t first = choose_lead(names, record);
  // V1, MIT-BIH's usual second lead, where a record has more than one other.
  for (std::size_t i = 0; i < names.size(); ++i)
    if (i != first && names[i] == "V1") return i;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (i != first) return i;
  throw InvalidArgument(record + ": the second lead is asked for but the record has " + std::to_string(names.size()) + " signal");
}

// The column groups follow one another; the last one's end is the count.
std::size_t Preprocessing::num_features() const {
  return second_lead_morphology_offset(*this) + (second_lead_morphology ? kNumSecondLeadRelativeFeatures : 0);
}

std::size_t relative_morphology_offset(const Preprocessing& pre) {
  return kNumFeatures + (pre.second_lead ? kNumSecondLeadFeatures : 0);
}

std::size_t signal_quality_offset(const Preprocessing& pre) {
  return relative_morphology_offset(pre) + (pre.relative_morphology ? kNumRelativeFeatures : 0);
}

std::size_t second_lead_morphology_offset(const Preprocessing& pre) {
  return signal_quality_offset(pre) + (pre.signal_quality ? kNumQualityFeatures * (pre.second_lead ? 2 : 1) : 0);
}

namespace {

// One lead made ready for cutting: at pre.fs, missing samples flattened,
// baseline removed when asked. Returns `lead` itself when nothing changes,
// else a view of `work`.
std::span<const double> condition(std::span<const double> lead, double fs, const Preprocessing& pre, std::vector<double>& work) {
  std::span<const double> signal = lead;
  if (fs != pre.fs) {
    work = resample(lead, fs, pre.fs);
    signal = work;
  }
  if (std::any_of(signal.begin(), signal.end(), [](double v) { return std::isnan(v); })) {
    if (work.empty()) work.assign(signal.begin(), signal.end());
    for (double& v : work)
      if (std::isnan(v)) v = 0.0;  // missing samples: flat line rather than NaN poisoning the filters
    signal = work;
  }
  if (pre.remove_baseline) {
    work = remove_baseline(signal, pre.fs);
    signal = work;
  }
  return signal;
}

// Both leads when `lead2` is not empty.
RecordBeats extract(const std::string& name, std::span<const double> lead, std::span<const double> lead2, double fs,
                    std::span<const Annotation> annotations, LabelSet labels, const Preprocessing& pre) {
  RecordBeats out;
  out.record = name;
  std::vector<double> work;
  const std::span<const double> signal = condition(lead, fs, pre, work);
  std::vector<Annotation> anns(annotations.begin(), annotations.end());
  if (fs != pre.fs) {
    const double ratio = pre.fs / fs;
    for (auto& a : anns) a.time = std::llround(static_cast<double>(a.time) * ratio);
  }
  out.beats = select_beats(anns, labels, static_cast<std::int64_t>(signal.size()), pre.window);
  out.windows = extract_windows(signal, out.beats, pre.window);
  if (pre.second_lead) {
    if (lead2.size() != lead.size())
      throw InvalidArgument(name + ": the two leads differ in length (" + std::to_string(lead.size()) + " and " +
                            std::to_string(lead2.size()) + " samples)");
    // The first lead's conditioned copy (a whole resampled signal) is no
    // longer needed: freed before the second lead's is made, so that one
    // such copy is alive at a time.
    std::vector<double>().swap(work);
    out.windows2 = extract_windows(condition(lead2, fs, pre, work), out.beats, pre.window);
  }
  finish_beats(out, beat_times(anns), pre);
  return out;
}

}  // namespace

RecordBeats extract_beats(const Recording& rec, std::span<const Annotation> annotations, LabelSet labels,
                          const Preprocessing& pre) {
  if (rec.leads.size() != rec.samples.size())
    throw InvalidArgument(rec.name + ": " + std::to_string(rec.leads.size()) + " lead names for " +
                          std::to_string(rec.samples.size()) + " signals");
  const std::size_t lead = pre.choose_lead(rec.leads, rec.name);
  if (!pre.second_lead) return extract(rec.name, rec.samples[lead], {}, rec.fs, annotations, labels, pre);
  const std::size_t lead2 = pre.choose_second_lead(rec.leads, rec.name);
  return extract(rec.name, rec.samples[lead], rec.samples[lead2], rec.fs, annotations, labels, pre);
}

RecordBeats extract_beats(const std::string& name, std::span<const double> lead, double fs,
                          std::span<const Annotation> annotations, LabelSet labels, const Preprocessing& pre) {
  if (pre.second_lead)
    throw InvalidArgument(name + ": two leads are needed (the model or dataset uses the second lead) and one was given");
  return extract(name, lead, {}, fs, annotations, labels, pre);
}

void finish_beats(RecordBeats& out, std::span<const std::int64_t> times, const Preprocessing& pre) {
  if (pre.second_lead_morphology && !pre.second_lead)
    throw InvalidArgument(out.record + ": the second lead's morphology is asked for without the second lead");
  const auto len = static_cast<std::size_t>(pre.window.length());
  const std::size_t n = out.beats.size();
  if (out.windows.size() != n * len)
    throw InvalidArgument(out.record + ": " + std::to_string(out.windows.size()) + " window samples for " + std::to_string(n) +
                          " beats of " + std::to_string(len));
  if (pre.second_lead && out.windows2.size() != n * len)
    throw InvalidArgument(out.record + ": the second lead has " + std::to_string(out.windows2.size()) + " window samples for " +
                          std::to_string(n) + " beats of " + std::to_string(len));
  // What the filter removes outside each beat's QRS, per lead (signal quality).
  std::vector<double> residue[2];
  if (pre.filter_beats && n > 0) {
    const ZeroPhaseFilter f(pre.coefficients());
    std::vector<double> in(len), filtered(len), scratch;
    int lead = 0;
    for (auto* windows : {&out.windows, &out.windows2}) {
      auto& res = residue[lead++];
      if (windows->empty()) continue;
      if (pre.signal_quality) res.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        float* w = windows->data() + i * len;
        std::copy(w, w + len, in.begin());
        f.apply(in, filtered, scratch);
        if (pre.signal_quality) res[i] = quality_residue_rms(in, filtered, pre.window.before);
        std::transform(filtered.begin(), filtered.end(), w, [](double v) { return static_cast<float>(v); });
      }
    }
  }
  std::vector<std::int64_t> at(n);
  for (std::size_t i = 0; i < n; ++i) at[i] = out.beats[i].r_sample;
  const auto rr = rr_features(times, at, pre.fs);
  const std::vector<float> tmpl = median_template(out.windows, len);
  const std::size_t F = pre.num_features();
  out.features.resize(n * F);
  for (std::size_t i = 0; i < n; ++i) {
    float* f = out.features.data() + i * F;
    beat_features({out.windows.data() + i * len, len}, rr[i], tmpl, pre.window.before, {f, kNumFeatures});
  }
  std::vector<float> tmpl2;
  if (pre.second_lead) {
    tmpl2 = median_template(out.windows2, len);
    for (std::size_t i = 0; i < n; ++i)
      template_features({out.windows2.data() + i * len, len}, tmpl2, pre.window.before,
                        {out.features.data() + i * F + kNumFeatures, kNumSecondLeadFeatures});
  }
  if (pre.relative_morphology && n > 0) {
    std::vector<float> dominant(kNumMorphologyFeatures);
    morphology_features(tmpl, pre.window.before, dominant);
    const std::size_t at = relative_morphology_offset(pre);
    for (std::size_t i = 0; i < n; ++i) {
      float* f = out.features.data() + i * F;
      relative_morphology({f + kNumRRFeatures, kNumMorphologyFeatures}, dominant, {f + at, kNumRelativeFeatures});
    }
  }
  if (pre.second_lead_morphology && n > 0) {
    std::vector<float> dominant(kNumMorphologyFeatures), beat(kNumMorphologyFeatures);
    morphology_features(tmpl2, pre.window.before, dominant);
    const std::size_t at = second_lead_morphology_offset(pre);
    for (std::size_t i = 0; i < n; ++i) {
      morphology_features({out.windows2.data() + i * len, len}, pre.window.before, beat);
      relative_morphology(beat, dominant, {out.features.data() + i * F + at, kNumSecondLeadRelativeFeatures});
    }
  }
  if (pre.signal_quality) {
    const std::size_t at = signal_quality_offset(pre);
    for (int lead = 0; lead < (pre.second_lead ? 2 : 1); ++lead) {
      const auto& windows = lead ? out.windows2 : out.windows;
      const auto& dominant = lead ? tmpl2 : tmpl;
      for (std::size_t i = 0; i < n; ++i)
        quality_features({windows.data() + i * len, len}, residue[lead].empty() ? 0.0 : residue[lead][i], dominant,
                         pre.window.before, {out.features.data() + i * F + at + lead * kNumQualityFeatures, kNumQualityFeatures});
    }
  }
}

void beat_features(std::span<const float> beat, const RRFeatures& rr, std::span<const float> tmpl, int r_index,
                   std::span<float> out) {
  for (std::size_t k = 0; k < kNumRRFeatures; ++k) out[k] = static_cast<float>(rr[k]);
  morphology_features(beat, r_index, out.subspan(kNumRRFeatures, kNumMorphologyFeatures));
  template_features(beat, tmpl, r_index, out.subspan(kNumRRFeatures + kNumMorphologyFeatures, kNumTemplateFeatures));
}

}  // namespace heartwave
