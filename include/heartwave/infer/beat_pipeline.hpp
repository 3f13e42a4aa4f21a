// End-to-end inference with a loaded model: raw ECG in, class probabilities
// out, through exactly the preprocessing recorded in the model file (window,
// rate, lead, filter coefficients, standardisation), so that a beat gets the
// same row, bit for bit, as it had in the dataset the model was trained on.
#pragma once
#include <array>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/decision/class_weights.hpp"
#include "heartwave/dsp/filter.hpp"
#include "heartwave/beats/label_sets.hpp"
#include "heartwave/models/model.hpp"
#include "heartwave/features/extract.hpp"
#include "heartwave/decision/rhythm_step.hpp"
#include "heartwave/beats/rr.hpp"
#include "heartwave/data/standardize.hpp"

namespace heartwave {

// Preprocessing parameters from a model's (or dataset manifest's)
// "preprocessing" object. Throws FormatError naming the bad field, and when
// the recorded filter coefficients differ from this heartwave's design.
Preprocessing preprocessing_from_json(const nlohmann::json& j);

class BeatPipeline {
 public:
  // `model` must outlive the pipeline. `meta` is the model file's metadata.
  BeatPipeline(const nlohmann::json& meta, const Classifier& model);

  const Preprocessing& preprocessing() const { return pre_; }
  // The model's decision rule (its "decision" object; all ones without one):
  // a beat's class is decide(proba, class_weights()).
  const ClassWeights& class_weights() const { return weights_; }
  // The model's rhythm step (its "decision.rhythm_step"; disabled without one).
  const RhythmStep& rhythm_step() const { return gate_; }
  LabelSet label_set() const { return labels_; }
  // Whether the model needs each beat's time and its record's other beats:
  // it reads an RR-interval or dominant-beat column, or has a rhythm step.
  // Models that read only the beat's own window and morphology do not, and
  // can classify independent beats (classify_windows without times).
  bool needs_beat_times() const { return needs_times_; }
  std::size_t row_width() const;

  struct RecordResult {
    RecordBeats beats;         // the beats found in the annotations, their windows and features
    std::vector<float> rows;   // model input, beats.beats.size() x row_width()
    std::vector<float> proba;  // beats x 5
  };
  // Every beat of one lead sampled at `fs` (resampled to the model's rate
  // when it differs), at the beat annotations given.
  RecordResult classify_record(const std::string& name, std::span<const double> lead, double fs,
                               std::span<const Annotation> annotations) const;
  // The same on the model's lead of a recording (InvalidArgument when it has none).
  RecordResult classify_record(const Recording& recording, std::span<const Annotation> annotations) const;

  // Beats given as raw windows (beats x window length, R at window.before)
  // with their R-peak sample numbers (strictly increasing, at the model's
  // rate), all from one recording: the RR intervals come from these times and
  // the dominant beat from these windows. Two-lead models also need the
  // second lead's windows, in the same layout (InvalidArgument without them);
  // one-lead models ignore them. With `r_samples` empty the windows are
  // independent beats: allowed only when !needs_beat_times() (else
  // InvalidArgument); their RR and dominant-beat features are NaN (unknown)
  // and their r_sample -1.
  RecordResult classify_windows(const std::string& name, std::span<const double> raw_windows,
                                std::span<const std::int64_t> r_samples, std::span<const double> raw_windows2 = {}) const;

  // The classes of one record's beats: decide(proba, class_weights()), then
  // the rhythm step over the record; `use_weights` false is the plain argmax,
  // `use_gate` false skips the gate.
  std::vector<std::int32_t> decide(const RecordResult& result, bool use_weights = true, bool use_gate = true) const;
  // The same with another rhythm step than the model's (e.g. one chosen by
  // another cross-validation; a disabled one skips the step).
  std::vector<std::int32_t> decide(const RecordResult& result, bool use_weights, const RhythmStep& gate) const;

  // Whether each beat's window is atrial fibrillation by `gate`'s AF gate
  // (rhythm_step.hpp gate_verdicts), on the decisions before the rhythm step;
  // all 0 for a disabled gate. The rhythm episodes (holter/episodes.hpp)
  // read it: af_gate() is the model's rhythm step, or default_af_gate() for
  // a model without one.
  std::vector<std::uint8_t> af_verdicts(const RecordResult& result, bool use_weights, const RhythmStep& gate) const;
  RhythmStep af_gate() const;

  // Model rows (standardised) from extracted beats.
  std::vector<float> rows(const RecordBeats& beats) const;

  // One beat: its raw window (window().length() samples at the model's rate,
  // R at window().before), its RR features and the record's dominant beat
  // (median_template of the record's filtered windows). Allocation-free after
  // the first call on a thread. Two-lead models also need the second lead's
  // raw window and dominant beat (InvalidArgument without them).
  std::array<float, 5> classify_beat(std::span<const double> raw_window, const RRFeatures& rr,
                                     std::span<const float> dominant_beat, std::span<const double> raw_window2 = {},
                                     std::span<const float> dominant_beat2 = {}) const;

 private:
  // What the rhythm step reads of a record's beats besides the decisions.
  struct StepInputs {
    std::vector<std::int64_t> r_sample;
    std::vector<float> p_wave, regions;
  };
  StepInputs step_inputs(const RecordResult& result, const RhythmStep& gate) const;

  Preprocessing pre_;
  LabelSet labels_;
  View view_;
  Standardizer base_, feat_;
  ZeroPhaseFilter filter_;
  ClassWeights weights_;
  RhythmStep gate_;
  const Classifier& model_;
  bool needs_times_ = true;
};

}  // namespace heartwave
