// heartwave evaluate: a model scored on a dataset split, or end to end on every annotated record of a folder.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <cstdio>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "model_options.hpp"
#include "progress.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/infer/beat_pipeline.hpp"
#include "heartwave/eval/compare.hpp"
#include "heartwave/train/cross_validate.hpp"
#include "heartwave/io/csv_beats.hpp"
#include "heartwave/decision/class_weights.hpp"
#include "heartwave/train/fit_class_weights.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/core/json_checks.hpp"
#include "heartwave/beats/label_sets.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/models/model.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/data/npy.hpp"
#include "heartwave/data/reader.hpp"
#include "heartwave/eval/report.hpp"
#include "heartwave/decision/rhythm_step.hpp"
#include "heartwave/train/fit_rhythm_step.hpp"
#include "heartwave/io/sha256.hpp"
#include "heartwave/io/text_parse.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/eval/metrics_document.hpp"
#include "heartwave/infer/predictions_csv.hpp"
#include "heartwave/infer/record_folder.hpp"
#include "heartwave/train/cv_run.hpp"

namespace heartwave::cli {

namespace {
int evaluate_records(const EvaluateArgs& a, const DecisionChoice& choice);
}  // namespace
int evaluate_detected(const EvaluateArgs& a);

void register_evaluate(CLI::App& app, EvaluateArgs& e, int& status) {
  CLI::App* ev = app.add_subcommand(
      "evaluate", "Evaluate a model on a dataset split, or on every annotated record of a folder; write metrics.json and report.html");
  add_model_data_options(ev, e, "Output folder", false);
  ev->add_option("--records", e.records,
                 "Instead of --data: a folder of WFDB records (another database, e.g. from `heartwave data fetch`); every record "
                 "with reference annotations (--annotator) is classified end to end through the model's preprocessing "
                 "(resampled to its rate) and scored; also writes predictions.csv");
  ev->add_option("--annotator", e.annotator, "Reference annotation file extension for --records")->capture_default_str();
  ev->add_option("--only", e.only, "With --records: only these records (comma separated)")->delimiter(',');
  ev->add_option("--exclude", e.exclude, "With --records: leave these records out (comma separated; e.g. paced records)")->delimiter(',');
  ev->add_flag("--exclude-paced", e.exclude_paced,
               "With --records: leave out every record whose reference annotations hold paced beats (/ or f), as ANSI/AAMI EC57 "
               "reports (MIT-BIH: 102, 104, 107, 217)");
  ev->add_flag("--detect", e.detect,
               "With --records: find the beats with the QRS detector (as `heartwave analyze` does, the reference annotations "
               "set aside), classify them, and score detection and classification by the ANSI/AAMI EC57 beat-by-beat rules "
               "(writes <record>.hw annotations, ec57.json and bxb-style tables)");
  ev->add_option("--detector", e.detector, "With --detect: the QRS detector (default: analyze's)");
  ev->add_option("--lead", e.lead, "With --detect: the lead to analyse, by name (default: the model's, else II, else the first)");
  ev->add_option("--window", e.window_s, "With --detect: EC57 match window in seconds")->capture_default_str();
  ev->add_option("--learning-period", e.learning_s,
                 "With --detect: seconds left out at the start of each record for the VEB and SVEB figures (EC57: 300)")
      ->capture_default_str();
  ev->add_flag("--store", e.store, "Record the metrics in the model file (later evaluations check they are reproduced)");
  ev->callback([&] { status = run_evaluate(e); });

}

int run_evaluate(const EvaluateArgs& a) {
  return guarded([&] {
    if (a.data.empty() == a.records.empty()) throw InvalidArgument("evaluate: give exactly one of --data and --records");
    if (a.records.empty() && (!a.only.empty() || !a.exclude.empty() || a.exclude_paced))
      throw InvalidArgument("evaluate: --only, --exclude and --exclude-paced choose records of --records");
    if (a.store && !a.rhythm_step.empty())
      throw InvalidArgument("evaluate --store: a model stores the figures of its own decision rule; drop --rhythm-step");
    if (a.store && !a.records.empty())
      throw InvalidArgument("evaluate --store: a model stores the figures of a dataset split (its test split); not with --records");
    if (a.detect && a.records.empty()) throw InvalidArgument("evaluate --detect: give --records DIR (a folder of annotated records)");
    if (a.detect) return evaluate_detected(a);
    const DecisionChoice choice = decision_choice(a);
    if (!a.records.empty()) return evaluate_records(a, choice);
    prepare_output_dir(a.out);
    const AppliedSplit r = apply_to_split(a.model, a.data, a.split, a.threads, choice);
    const ModelBundle& b = r.bundle;
    const Rows& rows = r.rows;
    const auto& pred = r.pred;
    const Metrics m = compute_metrics(rows.y, pred);
    nlohmann::json j = metrics_document(m, rows.y, pred, rows.record, rows.r_sample,
                                        r.manifest["preprocessing"]["fs"].get<double>(), a.split, r.manifest["protocol"]);
    j["model_sha256"] = sha256_file(a.model);
    j["dataset_manifest_sha256"] = sha256_file(std::filesystem::path(a.data) / "manifest.json");
    j["split_sha256"] = split_digest(r.manifest, a.split);
    j["class_weights"] = chosen_class_weights(choice, b.meta);
    j["rhythm_step"] = to_json(r.step);
    // Figures stored in the model for this very split (same content) must be reproduced.
    if (b.meta.contains("metrics") && b.meta["metrics"].contains("evaluation")) {
      const auto& st = b.meta["metrics"]["evaluation"];
      // Only under the same decision rule (--argmax / --no-rhythm-step change it on purpose).
      const bool same_rule = st.value("class_weights", j["class_weights"]) == j["class_weights"] &&
                             same_rhythm_step(st, r.step);
      const bool same_split = st.value("split_sha256", "") == j["split_sha256"] && st.value("split", "") == a.split;
      if (same_split && !same_rule)
        std::printf("the figures stored in the model were made with its own decision rule: not compared under this one\n");
      else if (same_split) {
        const bool same = st.contains("confusion_matrix") && st["confusion_matrix"] == j["confusion_matrix"];
        j["stored_metrics_reproduced"] = same;
        if (same)
          std::printf("reproduces the figures stored in the model (same confusion matrix on this dataset and split)\n");
        else
          spdlog::warn("the figures stored in {} for this dataset and split are NOT reproduced (stored accuracy {:.4f}, now {:.4f})",
                       a.model, st["accuracy"].get<double>(), m.accuracy);
      }
    }
    std::filesystem::create_directories(a.out);
    j["build"] = build_info();
    write_file_atomic(std::filesystem::path(a.out) / "metrics.json", j.dump(2) + "\n");
    write_file_atomic(std::filesystem::path(a.out) / "report.html", render_report(j, b.meta));
    if (a.store) {
      nlohmann::json meta = b.meta;
      nlohmann::json stored = j;
      stored.erase("model_sha256");  // the file is about to change
      stored.erase("stored_metrics_reproduced");
      meta["metrics"]["evaluation"] = stored;
      save_bundle(a.model, *b.model, meta);
      std::printf("stored these metrics in %s\n", a.model.c_str());
    }
    print_metrics(b.meta["family"].get<std::string>() + " on " + a.data + "/" + a.split, m, j);
    return 0;
  });
}

namespace {

// evaluate --records: every annotated record of a folder end to end, as
// predict --record classifies one, pooled and scored with the record as the
// bootstrap unit; the records are numbered in name order.
int evaluate_records(const EvaluateArgs& a, const DecisionChoice& choice) {
  const RecordFolderOptions options = record_folder_options(a);
  // The folder's records listed (and refused when there are none) before the output folder is made.
  std::vector<std::string> listed_unannotated;
  std::vector<std::string> listed = annotated_records(options, listed_unannotated);
  prepare_output_dir(a.out);
  const ModelBundle b = load_bundle(a.model, a.threads);
  const BeatPipeline pipe(b.meta, *b.model);
  const RhythmStep gate = chosen_rhythm_step(choice, pipe.rhythm_step());
  const Preprocessing& pre = pipe.preprocessing();
  Progress bar;
  const RecordFolderResult f = classify_record_folder(
      pipe, options, std::move(listed), std::move(listed_unannotated), a.argmax, gate, [&](std::size_t k, std::size_t n) { bar.update("records", k, n); },
      [&](const std::string& path, std::size_t leads) { check_lead_count(a, pipe, path, leads); });
  const auto& [names, unannotated, paced, truth, pred, record, r_sample, csv, per_record, unscored] = f;
  bar.finish();
  if (truth.empty()) throw InvalidArgument(a.records + ": the records hold no beat of the model's label set");
  const Metrics m = compute_metrics(truth, pred);
  nlohmann::json j = metrics_document(m, truth, pred, record, r_sample, pre.fs, "annotated records of " + a.records, "records");
  j["records_dir"] = a.records;
  j["annotator"] = a.annotator;
  j["records"] = per_record;
  if (!unannotated.empty()) j["records_without_annotations"] = unannotated;
  j["unscored_beat_annotations"] = unscored;
  if (a.exclude_paced) j["records_excluded_paced"] = paced;
  j["r_sample_rate_hz"] = pre.fs;
  j["model_sha256"] = sha256_file(a.model);
  j["class_weights"] = chosen_class_weights(choice, b.meta);
  j["rhythm_step"] = to_json(gate);
  const std::filesystem::path out = a.out;
  std::filesystem::create_directories(out);
  write_file_atomic(out / "predictions.csv", csv);
  j["build"] = build_info();
  write_file_atomic(out / "metrics.json", j.dump(2) + "\n");
  write_file_atomic(out / "report.html", render_report(j, b.meta));
  if (!paced.empty()) std::printf("note: %zu records with paced beats left out (--exclude-paced)\n", paced.size());
  if (!unannotated.empty())
    std::printf("note: %zu records without .%s annotations left out (%s...)\n", unannotated.size(), a.annotator.c_str(),
                unannotated.front().c_str());
  if (!unscored.empty()) {
    std::string list;
    for (const auto& [code, count] : unscored) list += (list.empty() ? "" : ", ") + code + " " + std::to_string(count);
    std::printf("note: beat annotations outside the %s label set, not scored: %s\n", std::string(to_string(pipe.label_set())).c_str(),
                list.c_str());
  }
  print_metrics(b.meta["family"].get<std::string>() + " on " + std::to_string(names.size() - paced.size()) + " records of " + a.records,
                m, j);
  return 0;
}


}  // namespace

}  // namespace heartwave::cli
