// The per-beat preprocessing that turns a recording and its annotations into
// beat windows and features. Its parameters are saved with every dataset (and
// later every model) so that inference repeats exactly the same transform.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/beats/segment.hpp"
#include "heartwave/dsp/filter.hpp"
#include "heartwave/beats/label_sets.hpp"
#include "heartwave/core/recording.hpp"
#include "heartwave/beats/rr.hpp"

namespace heartwave {

struct Preprocessing {
  // The lead: the signal named `lead_name` when the record has one (MLII: the
  // limb lead every MIT-BIH record but 102 and 104 carries, though record 114
  // stores it second), or, for "MLII", a signal named "II" (the same limb
  // lead as 12-lead databases such as INCART name it); otherwise signal
  // index `lead`. An empty name always uses the index.
  std::string lead_name = "MLII";
  int lead = 0;
  // Also the record's other signal (V1, V2, V4 or V5 in MIT-BIH): its beats
  // add the patient-relative template features of that lead
  // (kNumTemplateFeatures more columns). Needs two-signal recordings.
  bool second_lead = false;
  // Also the beat's morphology features minus the record's dominant beat's
  // (kNumRelativeFeatures more columns, after the second lead's).
  bool relative_morphology = false;
  // Also each beat's signal quality against the record's dominant beat
  // (kNumQualityFeatures more columns per lead, after all others): what the
  // beat filter removed, and how much the beat wiggles outside the QRS.
  bool signal_quality = false;
  // Also the second lead's morphology features minus its dominant beat's
  // (kNumSecondLeadRelativeFeatures more columns, l2_rel_*, after all
  // others). Needs `second_lead`.
  bool second_lead_morphology = false;
  double fs = 360.0;                  // signals are resampled to this rate first
  BeatWindow window;                  // [R-93, R+94) by default
  bool remove_baseline = false;       // 200/600 ms median filters on the whole lead
  bool filter_beats = true;           // zero-phase filter each beat window
  int filter_order = 5;
  std::vector<double> filter_cutoff_hz = {40.0};
  FilterType filter_type = FilterType::lowpass;

  FilterCoefficients coefficients() const;
  // The signal index to use among signals named `names`; throws
  // InvalidArgument (naming `record`) when it does not exist.
  std::size_t choose_lead(const std::vector<std::string>& names, const std::string& record) const;
  // The second lead's index: a signal named "V1" other than the primary
  // one (MIT-BIH's usual second lead, for records with more than two
  // signals), else the first signal other than the primary one.
  std::size_t choose_second_lead(const std::vector<std::string>& names, const std::string& record) const;
  // Features per beat: kNumFeatures, plus the second lead's, the relative
  // morphology's, the signal quality's and the second lead's relative
  // morphology's when used.
  std::size_t num_features() const;
};

// Beats of one recording: windows (n x window) after filtering, and features
// (n x num_features()) computed from the filtered windows and the record's RR
// sequence.
struct RecordBeats {
  std::string record;
  std::vector<LabeledBeat> beats;
  std::vector<float> windows;
  std::vector<float> windows2;  // the second lead's, when Preprocessing::second_lead
  std::vector<float> features;
};

// `annotations` times are in samples at `recording.fs`. Throws InvalidArgument
// when the lead does not exist.
RecordBeats extract_beats(const Recording& recording, std::span<const Annotation> annotations, LabelSet labels,
                          const Preprocessing& pre);
// The same on one lead (already chosen) at sampling rate `fs`; `pre.lead` is
// ignored. InvalidArgument when `pre.second_lead` asks for two leads.
RecordBeats extract_beats(const std::string& name, std::span<const double> lead, double fs,
                          std::span<const Annotation> annotations, LabelSet labels, const Preprocessing& pre);

// The second half of extract_beats, for windows cut elsewhere: `out.beats`
// (their r_sample) and `out.windows` (raw, beats x window length) are set;
// filters the windows in place and computes the features, RR intervals
// relative to the sorted beat times `times` (at pre.fs). With
// `pre.second_lead`, `out.windows2` holds the second lead's windows.
void finish_beats(RecordBeats& out, std::span<const std::int64_t> times, const Preprocessing& pre);

// All kNumFeatures features of one filtered beat window, in schema order:
// its RR features, its morphology, and its morphology relative to the
// record's dominant beat `tmpl`.
void beat_features(std::span<const float> beat, const RRFeatures& rr, std::span<const float> tmpl, int r_index,
                   std::span<float> out);
// Where the relative morphology starts in a row of pre.num_features() features.
std::size_t relative_morphology_offset(const Preprocessing& pre);
// Where the signal quality starts (the first lead's, then the second's).
std::size_t signal_quality_offset(const Preprocessing& pre);
// Where the second lead's relative morphology starts.
std::size_t second_lead_morphology_offset(const Preprocessing& pre);

}  // namespace heartwave
