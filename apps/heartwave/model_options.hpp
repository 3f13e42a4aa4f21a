// What the model commands (train, evaluate, predict, cv) share: their common
// options, the decision rule they ask for, and how figures are printed.
#pragma once
#include <CLI/CLI.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/infer/apply_split.hpp"
#include "heartwave/infer/analyze.hpp"
#include "heartwave/infer/beat_pipeline.hpp"
#include "heartwave/infer/record_folder.hpp"

namespace heartwave::cli {

extern const char* const kExcludeAfHelp;

// --model --data --split --out --threads --argmax --no-rhythm-step --rhythm-step.
void add_model_data_options(CLI::App* cmd, ModelDataArgs& a, const char* out_help, bool data_required);
// The decision rule the options ask for (--rhythm-step read and checked here, before any output).
DecisionChoice decision_choice(const ModelDataArgs& a);
nlohmann::json read_json_file(const std::string& path);
void print_metrics(const std::string& what, const Metrics& m, const nlohmann::json& j);
// One lead in, a two-lead model: refused before classifying, naming the
// shipped one-lead model (the pipeline's own error cannot know of it).
void check_lead_count(const ModelDataArgs& a, const BeatPipeline& pipe, const std::string& what, std::size_t leads);

// evaluate --records' folder options (--records, --annotator, --only, --exclude, --exclude-paced).
RecordFolderOptions record_folder_options(const ModelDataArgs& a);
// analyze's and evaluate --detect's analysis options; an unknown detector
// name fails here, before any work.
AnalyzeOptions analyze_options(const std::string& detector, const std::string& lead, bool argmax, bool no_rhythm_step);

}  // namespace heartwave::cli
