// A folder of annotated records analysed end to end from the raw signal
// (analyze_recording: QRS detection then classification, the reference
// annotations set aside) and scored against the reference annotations by
// the ANSI/AAMI EC57 beat-by-beat rules (eval/ec57.hpp): `heartwave evaluate
// --records DIR --detect`.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "heartwave/eval/ec57.hpp"
#include "heartwave/infer/analyze.hpp"
#include "heartwave/infer/record_folder.hpp"

namespace heartwave {

struct DetectedRecord {
  std::string name;
  Ec57Record whole;     // the whole record (QRS detection figures, section 1 of EC57 reporting)
  Ec57Record learning;  // after the learning period (EC57's VEB and SVEB figures)
  Ec57Record reference_learning;  // the same classification at the reference's beat positions, after the learning period
  std::vector<Annotation> annotations;  // what the analysis found, at the record's rate
  bool paced = false;   // the reference holds paced beats (/ or f): EC57 reports these records apart
  double detect_seconds = 0, classify_seconds = 0;
};

// Each record of `names` read from options.dir, analysed with `pipe` and
// compared with its reference annotations (options.annotator), `threads` at
// once; results in the order of `names`. `progress(done, total)` is called
// from the workers (serialised).
std::vector<DetectedRecord> analyze_and_score_folder(const BeatPipeline& pipe, const RecordFolderOptions& options,
                                                     const std::vector<std::string>& names, const AnalyzeOptions& analyze,
                                                     double window_s, double learning_s, int threads,
                                                     const std::function<void(std::size_t, std::size_t)>& progress);

}  // namespace heartwave
