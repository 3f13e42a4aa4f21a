#include "model_options.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "heartwave/beats/label_sets.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"

namespace heartwave::cli {

const char* const kExcludeAfHelp =
    "Leave beats inside annotated atrial fibrillation or flutter (the dataset's rhythm column, DS1) out of fitting and early "
    "stopping; cross-validation still predicts and scores them";

void add_model_data_options(CLI::App* cmd, ModelDataArgs& a, const char* out_help, bool data_required) {
  cmd->add_option("--model", a.model, "Model file (default: $HEARTWAVE_MODEL, else the shipped models/default.hwm)")
      ->capture_default_str();
  auto* data = cmd->add_option("--data", a.data, "Dataset folder (with manifest.json)");
  if (data_required) data->required();
  cmd->add_option("--split", a.split, "Split")->capture_default_str();
  cmd->add_option("--out", a.out, out_help)->required();
  cmd->add_option("--threads", a.threads, "Threads")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_flag("--argmax", a.argmax, "Ignore the model's class weights: each beat gets its most probable class");
  auto* no_gate = cmd->add_flag("--no-rhythm-step,--no-rhythm-gate", a.no_rhythm_step,
                                "Ignore the model's rhythm step (premature beats called S, no S calls inside atrial fibrillation, record adaptation)");
  cmd->add_option("--rhythm-step", a.rhythm_step,
                  "Decide with this decision.json's rhythm step (from cv, or configs/rhythm-steps/) instead of the model's; the "
                  "model's trees and class weights are kept")
      ->check(CLI::ExistingFile)
      ->excludes(no_gate);
}

DecisionChoice decision_choice(const ModelDataArgs& a) {
  DecisionChoice c;
  c.argmax = a.argmax;
  c.no_rhythm_step = a.no_rhythm_step;
  if (!a.rhythm_step.empty()) c.rhythm_step = read_rhythm_step_file(a.rhythm_step, "--rhythm-step");
  return c;
}

std::string default_model() {
  const char* env = std::getenv("HEARTWAVE_MODEL");
  if (env && *env) return env;
  return HEARTWAVE_DEFAULT_MODEL;
}

void add_family_options(CLI::App* cmd, std::string& model, std::string& data, std::string& params, std::uint64_t& seed,
                        int& threads, const char* data_help, bool model_required) {
  auto* m = cmd->add_option("--model", model, "Model family")->check(CLI::IsMember(classifier_families()));
  if (model_required) m->required();
  cmd->add_option("--data", data, data_help)->required();
  cmd->add_option("--params", params, "JSON file of family parameters overriding the defaults");
  cmd->add_option("--seed", seed, "Random seed")->capture_default_str();
  cmd->add_option("--threads", threads, "Threads")->capture_default_str()->check(CLI::Range(1, 256));
}

nlohmann::json read_json_file(const std::string& path) {
  try {
    return nlohmann::json::parse(read_file_text(path));
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(path + ": " + e.what());
  }
}

void print_metrics(const std::string& what, const Metrics& m, const nlohmann::json& j) {
  std::printf("%s: %zu beats, accuracy %.2f%%, macro-F1 %.2f%%, weighted-F1 %.2f%%\n", what.c_str(), m.n, 100 * m.accuracy,
              100 * m.f1_macro, 100 * m.f1_weighted);
  std::printf("class   Se%%     +P%%    support\n");
  for (int c = 0; c < kMetricClasses; ++c) {
    const auto& k = m.per_class[static_cast<std::size_t>(c)];
    std::printf("%-5s %6.2f  %6.2f  %8zu", std::string(class_name(c)).c_str(), 100 * k.sensitivity, 100 * k.ppv, k.support);
    if (j.contains("bootstrap_95ci")) {
      const auto& ci = j["bootstrap_95ci"]["per_class"][std::string(class_name(c))];
      std::printf("   95%% CI Se [%.1f, %.1f]  +P [%.1f, %.1f]", 100 * ci["se"][0].get<double>(), 100 * ci["se"][1].get<double>(),
                  100 * ci["ppv"][0].get<double>(), 100 * ci["ppv"][1].get<double>());
    }
    std::printf("\n");
  }
  const Ec57Figures& e = m.ec57;
  std::printf("EC57 (bxb; F and Q beats called V, Q beats called S, are not false positives): VEB Se %.2f +P %.2f FPR %.3f, "
              "SVEB Se %.2f +P %.2f",
              100 * e.veb_se, 100 * e.veb_ppv, 100 * e.veb_fpr, 100 * e.sveb_se, 100 * e.sveb_ppv);
  if (j.contains("bootstrap_95ci") && j["bootstrap_95ci"].contains("ec57")) {
    const auto& ci = j["bootstrap_95ci"]["ec57"];
    std::printf("   95%% CI VEB +P [%.1f, %.1f]  SVEB +P [%.1f, %.1f]", 100 * ci["veb_ppv"][0].get<double>(),
                100 * ci["veb_ppv"][1].get<double>(), 100 * ci["sveb_ppv"][0].get<double>(), 100 * ci["sveb_ppv"][1].get<double>());
  }
  std::printf("\n");
  if (j.contains("ec57") && j["ec57"].contains("from_minute_5")) {
    const auto& late = j["ec57"]["from_minute_5"];
    std::printf("EC57 from minute 5 of each record (bxb's default learning period left out; %zu beats): VEB Se %.2f +P %.2f, "
                "SVEB Se %.2f +P %.2f\n",
                late["beats"].get<std::size_t>(), 100 * late["veb"]["se"].get<double>(), 100 * late["veb"]["ppv"].get<double>(),
                100 * late["sveb"]["se"].get<double>(), 100 * late["sveb"]["ppv"].get<double>());
  }
}

void check_lead_count(const ModelDataArgs& a, const BeatPipeline& pipe, const std::string& what, std::size_t leads) {
  if (leads >= 2 || !pipe.preprocessing().second_lead) return;
  const auto one_lead = std::filesystem::path(HEARTWAVE_DEFAULT_MODEL).parent_path() / "one-lead.hwm";
  throw InvalidArgument(what + " holds one lead and the model " + a.model + " uses two; give --model " + one_lead.string() +
                        " (the shipped one-lead model)" + (a.beats.empty() ? "" : ", or each beat's second-lead window after the first"));
}


RecordFolderOptions record_folder_options(const ModelDataArgs& a) {
  RecordFolderOptions options;
  options.dir = a.records;
  options.annotator = a.annotator;
  options.only = a.only;
  options.exclude = a.exclude;
  options.exclude_paced = a.exclude_paced;
  return options;
}

AnalyzeOptions analyze_options(const std::string& detector, const std::string& lead, bool argmax, bool no_rhythm_step) {
  AnalyzeOptions o;
  o.detector = detector.empty() ? kDefaultQrsDetector : detector;
  make_qrs_detector(o.detector, 360);
  o.lead = lead;
  o.use_weights = !argmax;
  o.use_rhythm_step = !no_rhythm_step;
  return o;
}

}  // namespace heartwave::cli
