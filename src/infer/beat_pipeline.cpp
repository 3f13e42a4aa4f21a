#include "heartwave/infer/beat_pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "heartwave/core/error.hpp"
#include "heartwave/core/json_checks.hpp"
#include "heartwave/features/morphology.hpp"

namespace heartwave {
namespace {

template <class T>
T field(const nlohmann::json& j, const char* key, const char* where) {
  const auto bad = [&] { return FormatError(std::string("model preprocessing: '") + where + key + "' is missing or has the wrong type"); };
  try {
    const auto& v = j.at(key);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // Only integers in T's range pass (int fields here; T wider than
      // int64 would be bounded by int64).
      constexpr auto lo = std::numeric_limits<T>::min();
      constexpr auto hi = std::numeric_limits<T>::max();
      if (!json_integer_in(v, lo, std::in_range<std::int64_t>(hi) ? static_cast<std::int64_t>(hi) : INT64_MAX)) throw bad();
    }
    return v.get<T>();
  } catch (const nlohmann::json::exception&) {
    throw bad();
  }
}

Standardizer scaler(const nlohmann::json& j, const char* which, std::size_t dim) {
  Standardizer s;
  const auto& st = j.at("standardize");
  if (!st.contains(which)) throw FormatError(std::string("model preprocessing: no standardisation for '") + which + "'");
  s.mean = field<std::vector<double>>(st[which], "mean", "standardize.");
  s.scale = field<std::vector<double>>(st[which], "scale", "standardize.");
  if (s.mean.size() != dim || s.scale.size() != dim)
    throw FormatError(std::string("model preprocessing: standardisation of '") + which + "' has " + std::to_string(s.mean.size()) +
                      " columns, expected " + std::to_string(dim));
  return s;
}

// Whether feature `f` (of Preprocessing::num_features()) depends on the
// beat's neighbours: the RR intervals and everything after the morphology
// (the dominant-beat comparisons, the second lead's included).
bool depends_on_neighbours(std::size_t f) { return f < kNumRRFeatures || f >= kNumRRFeatures + kNumMorphologyFeatures; }

}  // namespace

Preprocessing preprocessing_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw FormatError("model preprocessing: not an object");
  Preprocessing p;
  p.lead = field<int>(j, "lead", "");
  // Models from before lead names existed chose by index only.
  p.lead_name = j.contains("lead_name") ? field<std::string>(j, "lead_name", "") : std::string();
  p.second_lead = j.contains("second_lead") && field<bool>(j, "second_lead", "");
  p.relative_morphology = j.contains("relative_morphology") && field<bool>(j, "relative_morphology", "");
  p.signal_quality = j.contains("signal_quality") && field<bool>(j, "signal_quality", "");
  p.second_lead_morphology = j.contains("second_lead_morphology") && field<bool>(j, "second_lead_morphology", "");
  p.fs = field<double>(j, "fs", "");
  p.remove_baseline = field<bool>(j, "remove_baseline", "");
  const auto& w = j.contains("window") ? j["window"] : nlohmann::json();
  p.window.before = field<int>(w, "before", "window.");
  p.window.after = field<int>(w, "after", "window.");
  const auto& f = j.contains("filter") ? j["filter"] : nlohmann::json();
  p.filter_beats = field<bool>(f, "applied", "filter.");
  p.filter_order = field<int>(f, "order", "filter.");
  p.filter_cutoff_hz = field<std::vector<double>>(f, "cutoff_hz", "filter.");
  p.filter_type = parse_filter_type(field<std::string>(f, "type", "filter."));
  if (p.lead < 0 || !(p.fs > 0) || p.window.before < 1 || p.window.after < 1)
    throw FormatError("model preprocessing: lead, rate or window out of range");
  if (p.second_lead_morphology && !p.second_lead)
    throw FormatError("model preprocessing: second_lead_morphology without second_lead");
  const FilterCoefficients c = p.coefficients();
  if (c.b != field<std::vector<double>>(f, "b", "filter.") || c.a != field<std::vector<double>>(f, "a", "filter."))
    throw FormatError("model preprocessing: the recorded filter coefficients differ from this heartwave's Butterworth design");
  return p;
}

BeatPipeline::BeatPipeline(const nlohmann::json& meta, const Classifier& model)
    : pre_(preprocessing_from_json(meta.at("preprocessing"))),
      labels_(parse_label_set(meta.at("label_set").get<std::string>())),
      view_(model.view()),
      base_(scaler(meta["preprocessing"], "base", static_cast<std::size_t>(pre_.window.length()))),
      feat_(scaler(meta["preprocessing"], "features", pre_.num_features())),
      filter_(pre_.coefficients()),
      weights_(model_class_weights(meta)),
      gate_(model_rhythm_step(meta)),
      model_(model) {
  const std::size_t F = pre_.num_features(), W = static_cast<std::size_t>(pre_.window.length());
  const std::size_t at = view_ == View::feat ? W : 0;
  const auto context = [&](std::size_t c) {
    return view_ != View::base && c >= at && c - at < F && depends_on_neighbours(c - at);
  };
  needs_times_ = gate_.enabled;
  for (const std::size_t c : model_.input_columns(row_width())) needs_times_ = needs_times_ || context(c);
}

std::vector<std::int32_t> BeatPipeline::decide(const RecordResult& result, bool use_weights, bool use_gate) const {
  return decide(result, use_weights, use_gate ? gate_ : RhythmStep{});
}

std::vector<std::int32_t> BeatPipeline::decide(const RecordResult& result, bool use_weights, const RhythmStep& gate) const {
  auto pred = heartwave::decide(result.proba, use_weights ? weights_ : ClassWeights{1, 1, 1, 1, 1});
  if (!gate.enabled) return pred;
  const StepInputs in = step_inputs(result, gate);
  return step_decisions(pred, std::vector<std::int32_t>(pred.size(), 0), in.r_sample, in.p_wave, pre_.fs, gate, in.regions);
}

BeatPipeline::StepInputs BeatPipeline::step_inputs(const RecordResult& result, const RhythmStep& gate) const {
  StepInputs in;
  in.r_sample.reserve(result.beats.beats.size());
  for (const auto& beat : result.beats.beats) in.r_sample.push_back(beat.r_sample);
  if (gate.p_measure == PMeasure::coherence)
    in.regions = p_regions_from_windows(result.beats.windows, static_cast<std::size_t>(pre_.window.length()), pre_.window.before);
  in.p_wave = p_wave_from_features(result.beats.features, pre_.num_features());
  return in;
}

std::vector<std::uint8_t> BeatPipeline::af_verdicts(const RecordResult& result, bool use_weights, const RhythmStep& gate) const {
  if (!gate.enabled) return std::vector<std::uint8_t>(result.beats.beats.size(), 0);
  const auto pred = heartwave::decide(result.proba, use_weights ? weights_ : ClassWeights{1, 1, 1, 1, 1});
  const StepInputs in = step_inputs(result, gate);
  return gate_verdicts(pred, std::vector<std::int32_t>(pred.size(), 0), in.r_sample, in.p_wave, pre_.fs, gate, in.regions);
}

RhythmStep BeatPipeline::af_gate() const { return gate_.enabled ? gate_ : default_af_gate(); }

std::size_t BeatPipeline::row_width() const {
  const auto w = static_cast<std::size_t>(pre_.window.length());
  switch (view_) {
    case View::base: return w;
    case View::feat: return w + pre_.num_features();
    case View::feat_only: return pre_.num_features();
  }
  return 0;
}

std::vector<float> BeatPipeline::rows(const RecordBeats& b) const {
  const std::size_t n = b.beats.size(), W = static_cast<std::size_t>(pre_.window.length()), F = pre_.num_features();
  std::vector<float> base = b.windows, feats = b.features;
  if (n == 0) return {};
  base_.apply(base);
  feat_.apply(feats);
  if (view_ == View::base) return base;
  if (view_ == View::feat_only) return feats;
  std::vector<float> out(n * (W + F));
  for (std::size_t i = 0; i < n; ++i) {
    std::copy_n(base.data() + i * W, W, out.data() + i * (W + F));
    std::copy_n(feats.data() + i * F, F, out.data() + i * (W + F) + W);
  }
  return out;
}

BeatPipeline::RecordResult BeatPipeline::classify_record(const std::string& name, std::span<const double> lead, double fs,
                                                         std::span<const Annotation> annotations) const {
  RecordResult r;
  r.beats = extract_beats(name, lead, fs, annotations, labels_, pre_);
  r.rows = rows(r.beats);
  r.proba = model_.predict_proba(r.rows, r.beats.beats.size());
  return r;
}

BeatPipeline::RecordResult BeatPipeline::classify_record(const Recording& rec, std::span<const Annotation> annotations) const {
  RecordResult r;
  r.beats = extract_beats(rec, annotations, labels_, pre_);
  r.rows = rows(r.beats);
  r.proba = model_.predict_proba(r.rows, r.beats.beats.size());
  return r;
}

BeatPipeline::RecordResult BeatPipeline::classify_windows(const std::string& name, std::span<const double> raw,
                                                          std::span<const std::int64_t> r_samples,
                                                          std::span<const double> raw2) const {
  const auto W = static_cast<std::size_t>(pre_.window.length());
  if (pre_.second_lead && raw2.empty())
    throw InvalidArgument(name + ": the model uses two leads and the beats hold one lead's windows; give each beat's second-lead "
                          "window after the first, or use a one-lead model");
  const auto check = [&](std::span<const double> w, const char* what) {
    if (w.size() != r_samples.size() * W)
      throw InvalidArgument(name + ": " + std::to_string(w.size()) + " " + what + " samples for " + std::to_string(r_samples.size()) +
                            " beats of " + std::to_string(W));
  };
  const bool timed = !r_samples.empty() || raw.empty();
  std::vector<std::int64_t> spaced;
  if (!timed) {
    if (needs_times_)
      throw InvalidArgument(name + ": the beats carry no R-peak sample numbers, and the model reads RR intervals or the record's "
                            "dominant beat; give each beat's r_sample first, or use a model that reads the beat alone");
    if (raw.size() % W) throw InvalidArgument(name + ": " + std::to_string(raw.size()) + " first-lead samples are not whole beats of " + std::to_string(W));
    // Stand-in times, one window apart, for the shared feature code; the
    // features that depend on them are blanked below.
    for (std::size_t i = 0; i < raw.size() / W; ++i) spaced.push_back(static_cast<std::int64_t>(i * W));
    r_samples = spaced;
  }
  check(raw, "first-lead");
  if (pre_.second_lead) check(raw2, "second-lead");
  if (!std::is_sorted(r_samples.begin(), r_samples.end())) throw InvalidArgument(name + ": beat times are not in order");
  RecordResult r;
  r.beats.record = name;
  for (auto t : r_samples) {
    LabeledBeat b;
    b.r_sample = t;
    r.beats.beats.push_back(b);
  }
  r.beats.windows.assign(raw.begin(), raw.end());
  if (pre_.second_lead) r.beats.windows2.assign(raw2.begin(), raw2.end());
  finish_beats(r.beats, r_samples, pre_);
  if (!timed) {
    const std::size_t F = pre_.num_features();
    for (std::size_t i = 0; i < r_samples.size(); ++i) {
      r.beats.beats[i].r_sample = -1;
      float* f = r.beats.features.data() + i * F;
      for (std::size_t k = 0; k < F; ++k)
        if (depends_on_neighbours(k)) f[k] = std::nanf("");
    }
  }
  r.rows = rows(r.beats);
  r.proba = model_.predict_proba(r.rows, r.beats.beats.size());
  return r;
}

std::array<float, 5> BeatPipeline::classify_beat(std::span<const double> raw, const RRFeatures& rr,
                                                 std::span<const float> tmpl, std::span<const double> raw2,
                                                 std::span<const float> tmpl2) const {
  const std::size_t W = static_cast<std::size_t>(pre_.window.length()), F = pre_.num_features();
  if (pre_.second_lead && (raw2.size() != W || tmpl2.size() != W))
    throw InvalidArgument("classify_beat: the model uses two leads; the second lead's window and dominant beat need " +
                          std::to_string(W) + " samples each");
  if (raw.size() != W) throw InvalidArgument("classify_beat: window has " + std::to_string(raw.size()) + " samples, the model's is " + std::to_string(W));
  if (tmpl.size() != W) throw InvalidArgument("classify_beat: dominant beat has " + std::to_string(tmpl.size()) + " samples, the model's window is " + std::to_string(W));
  thread_local std::vector<double> filtered, scratch;
  thread_local std::vector<float> beat, beat2, feats, row;
  filtered.resize(W);
  feats.resize(F);
  // Returns what the filter removed outside the QRS (the signal quality's sq_hf).
  auto prepare = [&](std::span<const double> in, std::vector<float>& out) {
    out.resize(W);
    if (pre_.filter_beats) {
      filter_.apply(in, filtered, scratch);
      std::transform(filtered.begin(), filtered.end(), out.begin(), [](double v) { return static_cast<float>(v); });
      return pre_.signal_quality ? quality_residue_rms(in, filtered, pre_.window.before) : 0.0;
    }
    std::transform(in.begin(), in.end(), out.begin(), [](double v) { return static_cast<float>(v); });
    return 0.0;
  };
  const double residue = prepare(raw, beat);
  double residue2 = 0;
  beat_features(beat, rr, tmpl, pre_.window.before, {feats.data(), kNumFeatures});
  if (pre_.second_lead) {
    residue2 = prepare(raw2, beat2);
    template_features(beat2, tmpl2, pre_.window.before, {feats.data() + kNumFeatures, kNumSecondLeadFeatures});
  }
  // A dominant beat's morphology, computed again only when another dominant
  // beat is given. (Keyed by the samples and the R index: the caches are
  // shared by every pipeline on this thread; one per lead.)
  struct DominantMorphology {
    std::vector<float> of, morphology;
    int r = -1;
    const std::vector<float>& get(std::span<const float> t, int r_index) {
      if (r != r_index || of.size() != t.size() || !std::equal(t.begin(), t.end(), of.begin())) {
        morphology.resize(kNumMorphologyFeatures);
        morphology_features(t, r_index, morphology);
        of.assign(t.begin(), t.end());
        r = r_index;
      }
      return morphology;
    }
  };
  thread_local DominantMorphology dominant1, dominant2;
  if (pre_.relative_morphology)
    relative_morphology({feats.data() + kNumRRFeatures, kNumMorphologyFeatures}, dominant1.get(tmpl, pre_.window.before),
                        {feats.data() + relative_morphology_offset(pre_), kNumRelativeFeatures});
  if (pre_.second_lead_morphology) {
    thread_local std::vector<float> morphology2(kNumMorphologyFeatures);
    morphology_features(beat2, pre_.window.before, morphology2);
    relative_morphology(morphology2, dominant2.get(tmpl2, pre_.window.before),
                        {feats.data() + second_lead_morphology_offset(pre_), kNumSecondLeadRelativeFeatures});
  }
  if (pre_.signal_quality) {
    const std::size_t at = signal_quality_offset(pre_);
    quality_features(beat, residue, tmpl, pre_.window.before, {feats.data() + at, kNumQualityFeatures});
    if (pre_.second_lead)
      quality_features(beat2, residue2, tmpl2, pre_.window.before, {feats.data() + at + kNumQualityFeatures, kNumQualityFeatures});
  }
  base_.apply(beat);
  feat_.apply(feats);
  row.clear();
  if (view_ != View::feat_only) row.insert(row.end(), beat.begin(), beat.end());
  if (view_ != View::base) row.insert(row.end(), feats.begin(), feats.end());
  const auto p = model_.predict_proba(row, 1);
  return {p[0], p[1], p[2], p[3], p[4]};
}

}  // namespace heartwave
