// Per-beat features: the 36 morphology features of the original project and
// the 8 RR features; their names and order are part of the dataset schema.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "heartwave/beats/rr.hpp"

namespace heartwave {

inline constexpr std::size_t kNumMorphologyFeatures = 36;
inline constexpr std::size_t kNumTemplateFeatures = 8;
inline constexpr std::size_t kNumFeatures = kNumRRFeatures + kNumMorphologyFeatures + kNumTemplateFeatures;
// With a second lead: its template features follow ("l2_" + the name).
inline constexpr std::size_t kNumSecondLeadFeatures = kNumTemplateFeatures;
// With relative morphology: each morphology feature of the beat minus the
// same feature of the record's dominant beat ("rel_" + the name), after
// every other column.
inline constexpr std::size_t kNumRelativeFeatures = kNumMorphologyFeatures;
// With signal quality: per lead (the second lead's follow, "l2_" + the
// name), after every other column.
inline constexpr std::size_t kNumQualityFeatures = 3;
// With the second lead's morphology: the second lead's morphology features
// minus its dominant beat's ("l2_rel_" + the name), after every other column.
inline constexpr std::size_t kNumSecondLeadRelativeFeatures = kNumMorphologyFeatures;

// Names in output order: the 8 RR features, the 36 morphology features, then
// the 8 patient-relative (template) features.
const std::vector<std::string>& feature_names();
// The same, followed by the second lead's names when `second_lead`, then
// the relative morphology's when `relative_morphology`, then the signal
// quality's (both leads' when `second_lead`) when `signal_quality`, then
// the second lead's relative morphology's when `second_lead_morphology`.
std::vector<std::string> feature_names(bool second_lead, bool relative_morphology = false, bool signal_quality = false,
                                       bool second_lead_morphology = false);

// Morphology of one beat window (R at index `r_index`), written to `out`
// (kNumMorphologyFeatures values):
//   mean, std, var, median, mad (median absolute deviation), skewness (biased),
//   kurtosis (excess, biased), max, min, range, peak_to_peak, energy (sum x^2),
//   power (mean x^2), rms, zero_crossings, mean_crossings, max_over_std
//   (max / (std + 1e-6)), n_peaks (local maxima >= 0.3 * max, at least 72
//   samples apart, higher peaks first, as scipy.signal.find_peaks), r_amplitude
//   (x[r_index]), r_position (argmax / length), area (trapezoid of |x|), then
//   for 5 consecutive segments (37, 37, 37, 37, 39 samples for 187; the last
//   takes the remainder) their mean, std and area (trapezoid of |x|).
void morphology_features(std::span<const float> beat, int r_index, std::span<float> out);

// The P-wave region, in samples relative to R at the model's rate:
// [kPRegionBegin, kPRegionEnd), the P wave and PR segment (tpl_corr_p's
// region; the AF gate's P-wave coherence reads the same samples).
inline constexpr int kPRegionBegin = -90, kPRegionEnd = -30;
// The QRS, likewise: [kQrsRegionBegin, kQrsRegionEnd), about +-60 ms
// (tpl_corr_qrs's region; the signal-quality features read everything else).
inline constexpr int kQrsRegionBegin = -22, kQrsRegionEnd = 23;

// The record's dominant beat: the per-sample median of its beat windows
// (n x len, row-major); records with more than kMaxTemplateBeats beats use
// every k-th beat (k = ceil(n / kMaxTemplateBeats)). Needs no labels, so it is
// available at inference too.
inline constexpr std::size_t kMaxTemplateBeats = 301;
std::vector<float> median_template(std::span<const float> windows, std::size_t len);

// Morphology relative to the patient's own dominant beat (`tmpl`), which is
// what generalises across patients (de Chazal 2004; Llamedo & Martinez 2011):
//   tpl_corr       Pearson correlation with the template over the window
//   tpl_corr_qrs   ... over R-22..R+22 (about +-60 ms, the QRS)
//   tpl_corr_p     ... over R-90..R-30 (the P wave and PR segment)
//   tpl_corr_t     ... over R+30..R+93 (ST segment and T wave)
//   tpl_rms_diff   RMS(beat - template) / RMS(template)
//   tpl_r_ratio    beat[R] / template[R]
//   tpl_energy_ratio  energy(beat) / energy(template)
//   tpl_p_energy_ratio  the same over R-90..R-30
// Written to `out` (kNumTemplateFeatures values); degenerate denominators give 0.
void template_features(std::span<const float> beat, std::span<const float> tmpl, int r_index, std::span<float> out);

// The relative morphology: out[k] = beat_morphology[k] - the dominant beat's
// (kNumRelativeFeatures values each; `dominant_morphology` is
// morphology_features of the dominant beat, computed once per record).
void relative_morphology(std::span<const float> beat_morphology, std::span<const float> dominant_morphology,
                         std::span<float> out);

// Signal quality of one beat window against the record's dominant beat,
// outside the QRS (every sample but R-22..R+22, about +-60 ms), where a
// clean beat is smooth and noise shows (Clifford et al. 2012 review such
// indices). Written to `out` (kNumQualityFeatures values):
//   sq_hf     `hf_rms` (quality_residue_rms: what the beat filter took
//             away, outside the QRS) / the dominant beat's peak-to-peak
//             over the QRS
//   sq_turns  turns outside the QRS (reversals of direction by more than
//             5% of the dominant beat's QRS peak-to-peak), minus the
//             dominant beat's count (extra wiggles)
//   sq_tv     total variation (sum |x[i+1] - x[i]|) outside the QRS / the
//             dominant beat's
// Degenerate denominators give 0.
void quality_features(std::span<const float> beat, double hf_rms, std::span<const float> tmpl, int r_index,
                      std::span<float> out);
// RMS of raw - filtered outside the QRS (R-22..R+22) of one window: the
// content the beat filter removed (above 40 Hz for the default filter:
// muscle noise, not ECG). 0 when nothing is outside the QRS.
double quality_residue_rms(std::span<const double> raw, std::span<const double> filtered, int r_index);

// Peak indices as scipy.signal.find_peaks(x, height=min_height, distance=distance).
std::vector<std::size_t> find_peaks(std::span<const double> x, double min_height, int distance);

}  // namespace heartwave
