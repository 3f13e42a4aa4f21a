// Whole-recording analysis: a raw recording in, every heartbeat found and
// classified out. No reference annotations are read: the beats come from a
// QRS detector (detect/qrs.hpp) on the chosen lead, and are classified
// through the same BeatPipeline::classify_record path as annotated beats,
// so a beat at the same position gets the same class either way.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "heartwave/core/recording.hpp"
#include "heartwave/detect/qrs.hpp"
#include "heartwave/infer/beat_pipeline.hpp"
#include "heartwave/io/wfdb_annotation.hpp"

namespace heartwave {

struct AnalyzeOptions {
  std::string detector = kDefaultQrsDetector;
  // The lead to detect and classify on: this name when given, else the
  // model's lead (MLII), else II, else the first signal.
  std::string lead;
  bool use_weights = true;  // the model's class weights (false: argmax)
  bool use_rhythm_step = true;
};

struct AnalyzedBeat {
  std::int64_t sample = 0;            // R peak, at the recording's own rate
  std::int32_t cls = 4;               // 0..4: N S V F Q
  std::array<float, 5> proba{};       // all zero when not classified
  bool classified = false;            // false: too near the recording's ends for a window (class Q)
};

struct Analysis {
  std::string record;
  double fs = 0;
  std::int64_t num_samples = 0;
  std::string lead, second_lead;  // second_lead empty for one-lead models
  std::string detector;
  std::vector<AnalyzedBeat> beats;
  // Per beat: 1 where the AF gate (BeatPipeline::af_gate()) judges its
  // window atrial fibrillation; 0 elsewhere and for unclassified beats.
  std::vector<std::uint8_t> af;
  double detect_seconds = 0, classify_seconds = 0;
};

// The lead index analyze uses (AnalyzeOptions::lead). InvalidArgument when a
// name is given and the recording has no such signal.
std::size_t analysis_lead(const Recording& recording, const std::string& lead, const std::string& model_lead);

// Detects and classifies every beat of `recording`. InvalidArgument for a
// recording without samples or with leads of different lengths.
Analysis analyze_recording(const Recording& recording, const BeatPipeline& pipe, const AnalyzeOptions& options = {});

// The classification half of analyze_recording: the beats at `positions`
// (R peaks at the recording's rate, increasing), e.g. a reference
// annotator's, through the same path. `detector` is left empty.
Analysis classify_positions(const Recording& recording, const BeatPipeline& pipe, std::span<const std::int64_t> positions,
                            const AnalyzeOptions& options = {});

// The WFDB code a class is written with: N 1, S 9, V 5, F 6, Q 13.
int class_annotation_code(int cls);
// The beats as MIT annotations (codes N S V F Q, at the recording's rate).
std::vector<Annotation> analysis_annotations(const Analysis& a);
// "record,sample,time,class,p_N,p_S,p_V,p_F,p_Q" then one line per beat.
std::string analysis_csv(const Analysis& a);
// {"build", "record", "fs", "num_samples", "lead", "second_lead", "detector",
//  "model": model, "counts": {N: n, ...}, "beats": [{"sample", "time", "class", "proba"}]}
nlohmann::json analysis_json(const Analysis& a, const nlohmann::json& model);

// The samples of the lead the analysis used (Analysis::lead), else the first.
std::span<const double> analysed_lead(const Recording& rec, const Analysis& an);

}  // namespace heartwave
