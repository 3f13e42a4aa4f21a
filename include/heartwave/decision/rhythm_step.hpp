// The rhythm step: the decision rule applied to a record's beat decisions
// after the class weights, in three parts, each optional:
//   1. prematurity (`premature` > 0): an N decision whose preceding RR
//      interval is below `premature` times the record's mean RR becomes S;
//   2. the AF gate: an S decision becomes N where the window of beats around
//      it (`half_window` either side) is irregular (median |dRR| / median RR
//      of intervals between beats not called V, or between N calls with
//      `irregularity_n_only`, above `irregularity`) and shows no consistent
//      P wave (`p_measure`: the median tpl_corr_p, or the window's P-wave
//      coherence, below `p_wave`);
//   3. the record adaptation (`adapt_min_beats` > 0): a two-class linear
//      discriminant fitted to the record's own S and N decisions on their
//      prematurity ratios turns N decisions it puts with the S beats into S
//      (and, with `adapt_take_back`, S into N), `adapt_passes` times.
// V and F decisions are never changed. The parameters are chosen on
// out-of-fold DS1 predictions (train/fit_rhythm_step.hpp) and kept in
// decision.json and the model file. docs/rhythm-step.md describes the step;
// docs/research/ records why each part was adopted.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "heartwave/data/rows.hpp"
#include "heartwave/features/morphology.hpp"

namespace heartwave {

// The gate's P-wave input, tpl_corr_p as the feature extractor computes it:
// from a dataset's standardised rows (feat_only or feat view) and its
// manifest (which holds the standardisation), or from extracted beats' raw
// features (beats x num_features, Preprocessing::num_features()). FormatError when the
// schema has no tpl_corr_p.
std::vector<float> p_wave_from_rows(const Rows& rows, const nlohmann::json& manifest);
std::vector<float> p_wave_from_features(std::span<const float> features, std::size_t num_features);

// The P-wave coherence's input: each beat's P region (kPRegionLength
// samples, beats x kPRegionLength, row-major), from filtered beat windows
// (beats x window_length, R at r_index), or from a dataset's base or feat
// rows (the samples de-standardised with the manifest's standardisation).
// InvalidArgument when the region does not fit the window or the rows are
// another view's; FormatError naming the field when the manifest lacks the
// base standardisation, its width or the window's R index.
inline constexpr std::size_t kPRegionLength = static_cast<std::size_t>(kPRegionEnd - kPRegionBegin);
std::vector<float> p_regions_from_windows(std::span<const float> windows, std::size_t window_length, int r_index);
std::vector<float> p_regions_from_rows(const Rows& rows, const nlohmann::json& manifest);

// How the gate measures "no consistent P wave" (see the top of this file).
enum class PMeasure { tpl_corr_p, coherence };

// The record adaptation's optional third input.
enum class AdaptInput { none, rr_post_local, p_wave };

struct RhythmStep {
  bool enabled = false;
  int half_window = 16;       // beats either side of the beat
  int min_differences = 8;    // fewer usable RR differences: no verdict, no gate
  double irregularity = 0.1;  // gate where the window's irregularity is above this
  double p_wave = 2.0;        // ... and its P-wave measure is below this (2: any; -2: never, no AF gate)
  PMeasure p_measure = PMeasure::tpl_corr_p;  // that measure: the median tpl_corr_p, or the window's P-wave coherence
  double premature = 0;       // N becomes S where pre-RR / record mean RR is below this (0: never)
  bool premature_gated = true;  // ... except inside gated windows (false: the gate undoes only the model's S calls)
  int adapt_min_beats = 0;      // record adaptation where >= this many S and N decisions (0: never)
  bool adapt_equal_priors = false;  // the adaptation's priors: equal (true) or the decisions' class shares
  bool adapt_take_back = false;     // also turn S decisions it puts with the N beats back into N
  AdaptInput adapt_third = AdaptInput::none;  // a third input besides the two prematurity ratios
  int adapt_passes = 1;  // adaptation passes, each refitted on the decisions the one before left (stops when one changes nothing)
  bool irregularity_n_only = false;  // the irregularity over intervals between two N calls, not any two non-V calls
  bool operator==(const RhythmStep&) const = default;
};

// Per beat of one record (beats in time order, r_sample strictly increasing,
// at `fs`): the window's irregularity (NaN where fewer than min_differences
// successive-interval differences are usable), median tpl_corr_p, and the
// RR interval before the beat over the record's mean RR interval (the
// first beat takes the interval after it; a lone beat 1) and over the local
// mean (the rr_pre_local feature), the beats given being the record.
// Also, for the record adaptation's third input, the RR interval after the
// beat over the local mean and the beat's own tpl_corr_p. With `p_regions`
// (beats x kPRegionLength; empty: not measured, all NaN), the window's
// P-wave coherence (NaN where fewer than min_differences beats not called V
// have finite regions, or their regions are flat).
struct RhythmStats {
  std::vector<double> irregularity, p_wave, pre_ratio, pre_local_ratio, post_local_ratio, beat_p_wave, p_coherence;
};
// With `n_only`, the irregularity counts only intervals between two beats
// called N (class 0), so that premature beats, whatever they are called, do
// not make a window irregular.
RhythmStats rhythm_stats(std::span<const std::int64_t> r_sample, std::span<const std::int32_t> predicted,
                         std::span<const float> p_wave, double fs, int half_window, int min_differences, bool n_only = false,
                         std::span<const float> p_regions = {});

// The rhythm step on one record, in place: premature N decisions (class 0)
// become S (class 1), then S decisions inside gated windows become N, then
// the record adaptation.
void apply_rhythm_step(std::span<std::int32_t> predicted, const RhythmStats& stats, const RhythmStep& gate);

// Rows of several records in any order (`record` groups them; within a record
// they are taken in r_sample order; rows of record -1, SMOTE rows, are left
// as they are): the gated decisions, in the rows' order.
// `p_regions` (beats x kPRegionLength, the rows' order) is needed only by a
// gate measuring P-wave coherence.
// Throws InvalidArgument for lengths that differ, an R sample repeated
// within a record, or a coherence gate without P regions.
std::vector<std::int32_t> step_decisions(std::span<const std::int32_t> predicted, std::span<const std::int32_t> record,
                                         std::span<const std::int64_t> r_sample, std::span<const float> p_wave, double fs,
                                         const RhythmStep& gate, std::span<const float> p_regions = {});

// Whether each row's window is gated as AF by `gate` (1) or not (0), the
// decisions given being the model's (before the step); rows of record -1: 0.
// For reporting how the gate agrees with annotated rhythm. Disabled: all 0.
std::vector<std::uint8_t> gate_verdicts(std::span<const std::int32_t> predicted, std::span<const std::int32_t> record,
                                        std::span<const std::int64_t> r_sample, std::span<const float> p_wave, double fs,
                                        const RhythmStep& gate, std::span<const float> p_regions = {});

// The AF gate alone (no prematurity rule, no adaptation) with the default
// model's thresholds (half window 32 beats, irregularity 0.06, P-wave
// coherence 0.3; chosen on DS1 in research round 16): the AF detector for
// models without a rhythm step of their own.
RhythmStep default_af_gate();

// How fit_rhythm_step searches (below).
inline constexpr int kMaxAdaptPasses = 10;
inline constexpr int kMaxHalfWindow = 1000;  // the gate window's largest half width (beats)
enum class StepChoice { best, smoothed };
enum class StepCriterion { macro_f1, sveb_se };
enum class GateFit { macro_f1, rhythm };
// "best" / "smoothed"; InvalidArgument for another name.
StepChoice step_choice_from_name(const std::string& name);
const char* step_choice_name(StepChoice choice);
// "macro_f1" / "sveb_se"; InvalidArgument for another name.
StepCriterion step_criterion_from_name(const std::string& name);
const char* step_criterion_name(StepCriterion criterion);
// "macro_f1" / "rhythm"; InvalidArgument for another name.
GateFit gate_fit_from_name(const std::string& name);
const char* gate_fit_name(GateFit fit);
// "tpl_corr_p" / "coherence"; InvalidArgument for another name.
PMeasure p_measure_from_name(const std::string& name);
const char* p_measure_name(PMeasure measure);

// decision.json's / a model's "rhythm_step" object. Absent or null: disabled.
// Throws FormatError naming the bad field.
RhythmStep rhythm_step_from_json(const nlohmann::json& decision);
// The rhythm step object of a decision: "rhythm_step", or "rhythm_gate" as
// files written before the name was settled call it; nullptr when neither.
const nlohmann::json* rhythm_step_object(const nlohmann::json& decision);
RhythmStep model_rhythm_step(const nlohmann::json& meta);  // meta["decision"]["rhythm_step"]
nlohmann::json to_json(const RhythmStep& gate);
// The rhythm step of a JSON file holding one (a decision.json from cv, or
// configs/rhythm-steps/): ParseError for bad JSON, InvalidArgument naming
// `option`, the file and the field otherwise.
RhythmStep read_rhythm_step_file(const std::string& path, const std::string& option);

}  // namespace heartwave
