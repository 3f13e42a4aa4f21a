// The Holter summary of one analysed recording (summary.json): recording
// and analysable time, heart rate and its per-minute trend, beat counts and
// ectopic burden, runs, pauses, AF, time-domain HRV, urgent findings, strips
// and the beats left for review. docs/holter.md defines every figure.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/holter/episodes.hpp"
#include "heartwave/infer/analyze.hpp"

namespace heartwave {

struct SummaryOptions {
  EpisodeOptions episodes;
  int hr_average_beats = 8;         // min / max heart rate: the mean over this many successive NN intervals
  double hrv_segment_s = 300;       // SDANN / SDNN index segments (5 min, Task Force 1996)
  double review_below = 0.6;        // beats whose top class probability is below this are "for review"
  std::size_t review_listed = 200;  // at most this many of them listed
  double strip_s = 10;              // ECG strip length
  std::size_t max_strips = 16;
  // Urgent findings.
  int urgent_vt_beats = 6;            // VT of at least this many beats
  double urgent_pause_s = 3.0;        // pauses of at least this long
  double urgent_v_burden = 10;        // ventricular ectopy above this share of beats (%)
  double urgent_af_rate_bpm = 110;    // AF with a mean ventricular rate above this
  // Unreadable signal: 5 s segments that are flat (range below flat_mv) or
  // where most beats found are unclassifiable (Q).
  double segment_s = 5;
  double flat_mv = 0.01;
};

// Sample ranges judged unreadable: flat (lead off, no signal) or dominated
// by unclassifiable (Q) beats, in segment_s segments, adjacent ones joined.
std::vector<SampleRange> unreadable_segments(std::span<const double> lead_mv, double fs, const Analysis& a,
                                             const SummaryOptions& options = {});

// NN intervals: between two successive beats both classified N, 0.3 to
// 2.0 s long.
struct NnInterval {
  std::int64_t end = 0;  // the second beat's R sample
  double seconds = 0;
  bool successive = false;  // its first beat ends the previous NN interval (RMSSD / pNN50 pairs)
};
// For heart rate (`hrv` false) every such interval counts; for HRV (`hrv` true)
// those in AF episodes and those over 20% from the one before are left out.
std::vector<NnInterval> nn_intervals(const Analysis& a, std::span<const Episode> episodes, bool hrv);

// The summary. `lead_mv` is the analysed lead (for the unreadable segments;
// strips are cut by the page, summary_html.hpp); `model` describes the
// model ({"file", "family", ...}); `start` the recording's start ("" when
// unknown). `episodes_out`, if given, receives the episodes found.
nlohmann::json holter_summary(const Analysis& a, std::span<const double> lead_mv, const nlohmann::json& model,
                              const std::string& start, const SummaryOptions& options = {},
                              std::vector<Episode>* episodes_out = nullptr);

}  // namespace heartwave
