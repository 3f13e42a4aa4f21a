// heartwave train / evaluate / predict.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <utility>

#include "cli.hpp"
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
#include "progress.hpp"

namespace heartwave::cli {

namespace {

constexpr const char* kExcludeAfHelp =
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

// The model's decision rule, unless --argmax.
ClassWeights weights_for(const ModelDataArgs& a, const nlohmann::json& meta) {
  if (a.argmax) return ClassWeights{1, 1, 1, 1, 1};
  return model_class_weights(meta);
}

}  // namespace

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

void register_model(CLI::App& app, TrainArgs& t, EvaluateArgs& e, PredictArgs& p, int& status) {
  CLI::App* train = app.add_subcommand("train", "Train a model on a dataset written by `heartwave data build`");
  add_family_options(train, t.model, t.data, t.params, t.seed, t.threads, "Dataset folder (with manifest.json)");
  train->add_option("--out", t.out, "Model file to write (the training log goes to FILE.log.json)")->required();
  train->add_option("--early-fold", t.early_fold,
                    "Inter-patient: DS1 fold held out for early stopping; -1: none, fit on all of DS1 for the configured "
                    "number of rounds or epochs (e.g. the median best iteration `heartwave cv` reports)")
      ->capture_default_str()
      ->check(CLI::Range(-1, 1000));
  train->add_option("--decision", t.decision,
                    "decision.json written by `heartwave cv`: class weights (chosen on out-of-fold DS1 predictions) kept in the model")
      ->check(CLI::ExistingFile);
  train->add_flag("--exclude-af", t.exclude_af, kExcludeAfHelp);
  train->callback([&] { status = run_train(t); });

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
  ev->add_flag("--store", e.store, "Record the metrics in the model file (later evaluations check they are reproduced)");
  ev->callback([&] { status = run_evaluate(e); });

  CLI::App* pr = app.add_subcommand("predict", "Write per-beat classes and probabilities (CSV) for a dataset split, a record or a CSV of beats");
  add_model_data_options(pr, p, "CSV file to write ('-' for stdout)", false);
  pr->add_option("--record", p.record, "Instead of --data: a WFDB record (path without extension); beats at its annotations");
  pr->add_option("--annotator", p.annotator, "Annotation file extension for --record")->capture_default_str();
  pr->add_option("--beats", p.beats, "Instead of --data: a CSV of beats from one recording, each line r_sample then the raw window (two-lead models: then the second lead's window); lines of windows alone (no r_sample) are independent beats, for models that read only the beat (models/window-only.hwm)");
  pr->callback([&] { status = run_predict(p); });
}

namespace {

nlohmann::json read_json_file(const std::string& path) {
  try {
    return nlohmann::json::parse(read_file_text(path));
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(path + ": " + e.what());
  }
}

// The rhythm step of a decision.json (or any JSON with a "rhythm_step"),
// checked; InvalidArgument naming the file and the field.
RhythmStep rhythm_step_file(const std::string& option, const std::string& path) {
  const nlohmann::json given = read_json_file(path);
  if (!rhythm_step_object(given))
    throw InvalidArgument(option + ": " + path + " holds no rhythm_step (give a decision.json from cv)");
  try {
    return rhythm_step_from_json(given);
  } catch (const FormatError& e) {
    throw InvalidArgument(option + ": " + path + ": " + e.what());
  }
}

// evaluate's and predict's --rhythm-step, read once, before any output.
std::optional<RhythmStep> given_rhythm_step(const ModelDataArgs& a) {
  if (a.rhythm_step.empty()) return std::nullopt;
  return rhythm_step_file("--rhythm-step", a.rhythm_step);
}

// The rhythm step to decide with: the one given (--rhythm-step), none
// (--no-rhythm-step) or the model's.
RhythmStep gate_for(const ModelDataArgs& a, const std::optional<RhythmStep>& given, const RhythmStep& model_gate) {
  if (given) return *given;
  return a.no_rhythm_step ? RhythmStep{} : model_gate;
}

// The model must see data preprocessed exactly as its training data was.
void check_compatible(const nlohmann::json& meta, const nlohmann::json& man, const std::filesystem::path& data) {
  if (!meta.contains("preprocessing") || !meta.contains("label_set"))
    throw FormatError("the model records no preprocessing or label set, so it cannot be matched to a dataset");
  const auto& mp = meta["preprocessing"];
  const auto& dp = man["preprocessing"];
  if (dp != mp) {
    // Name what differs, so that the dataset can be rebuilt to match.
    std::set<std::string> keys;
    for (const auto* side : {&mp, &dp})
      for (const auto& [key, value] : side->items()) keys.insert(key);
    std::string diff;
    for (const auto& key : keys) {
      const auto a = mp.contains(key) ? mp[key] : nlohmann::json(), b = dp.contains(key) ? dp[key] : nlohmann::json();
      if (a == b) continue;
      const bool small = a.dump().size() < 60 && b.dump().size() < 60;
      diff += std::string(diff.empty() ? "" : "; ") + key + (small ? ": model " + a.dump() + ", dataset " + b.dump() : " differs");
    }
    throw InvalidArgument(data.string() + ": dataset preprocessing differs from the model's (" + (diff.empty() ? "other fields" : diff) +
                          "); rebuild the dataset with the model's parameters");
  }
  if (man["label_set"] != meta["label_set"])
    throw InvalidArgument(data.string() + ": label set " + man["label_set"].dump() + " differs from the model's " +
                          meta["label_set"].dump());
}

// Whether stored evaluation figures were made with this rhythm step: compared
// as parsed (a field added later, absent from older files, takes its default).
bool same_rhythm_step(const nlohmann::json& stored, const RhythmStep& gate) {
  if (!rhythm_step_object(stored)) return true;
  try {
    return rhythm_step_from_json(stored) == gate;
  } catch (const FormatError&) {
    return false;
  }
}

// What evaluate and predict share: the model, the split it is applied to
// (checked to be preprocessed as the model expects) and its probabilities.
struct Applied {
  ModelBundle bundle;
  nlohmann::json manifest;
  Rows rows;
  std::vector<float> proba;
  std::vector<std::int32_t> pred;
  RhythmStep gate;  // as applied
};

// The content of one split: a digest of its files' digests (the manifest's
// other fields, such as the folder the database was read from, do not count).
std::string split_digest(const nlohmann::json& manifest, const std::string& split) {
  std::string text;
  for (const auto& [name, f] : manifest.at("files").items())
    if (name.rfind(split + "/", 0) == 0) text += name + ":" + f.at("sha256").get<std::string>() + "\n";
  return sha256_hex({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

// bxb's default learning period: each record's first 5 minutes are left out
// of its statistics.
constexpr double kEc57LearningSeconds = 300;

// metrics.json's figures for predictions of beats from `record`s, at
// `r_sample`s of a recording sampled at `fs` Hz.
nlohmann::json metrics_document(const Metrics& m, std::span<const std::int32_t> truth, std::span<const std::int32_t> pred,
                                std::span<const std::int32_t> record, std::span<const std::int64_t> r_sample, double fs,
                                const std::string& split, const nlohmann::json& protocol) {
  nlohmann::json j = to_json(m);
  j["split"] = split;
  j["protocol"] = protocol;
  // EC57 as bxb runs by default: the same figures from minute 5 of each record.
  const Ec57Figures late = ec57_from(truth, pred, r_sample, static_cast<std::int64_t>(std::llround(kEc57LearningSeconds * fs)));
  j["ec57"]["from_minute_5"] = to_json(late);
  // Beats of one patient are not independent: confidence intervals resample records.
  if (protocol != "seed") j["bootstrap_95ci"] = bootstrap_by_record(truth, pred, record, 1000, 42);
  return j;
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

Applied apply_model(const ModelDataArgs& a, const std::optional<RhythmStep>& given_step) {
  Applied r;
  r.bundle = load_bundle(a.model, a.threads);
  r.manifest = read_manifest(a.data);
  check_compatible(r.bundle.meta, r.manifest, a.data);
  r.rows = load_evaluation_split(a.data, a.split, r.bundle.model->view());
  r.proba = r.bundle.model->predict_proba(r.rows.X, r.rows.n);
  r.pred = decide(r.proba, weights_for(a, r.bundle.meta));
  r.gate = gate_for(a, given_step, model_rhythm_step(r.bundle.meta));
  if (r.gate.enabled) {
    // The model's own rows hold the features unless it reads samples only.
    const auto p_wave = p_wave_from_rows(
        r.bundle.model->view() == View::base ? load_evaluation_split(a.data, a.split, View::feat_only) : r.rows, r.manifest);
    // The P regions come from the samples (the base or feat view), only where the gate measures coherence.
    std::vector<float> regions;
    if (r.gate.p_measure == PMeasure::coherence)
      regions = p_regions_from_rows(
          r.bundle.model->view() == View::feat_only ? load_evaluation_split(a.data, a.split, View::base) : r.rows, r.manifest);
    r.pred = step_decisions(r.pred, r.rows.record, r.rows.r_sample, p_wave,
                            r.manifest["preprocessing"]["fs"].get<double>(), r.gate, regions);
  }
  return r;
}

}  // namespace

int run_train(const TrainArgs& a) {
  return guarded([&] {
    prepare_output_file(a.out);
    const nlohmann::json params = a.params.empty() ? nlohmann::json::object() : read_json_file(a.params);
    auto model = create_classifier(a.model, params, a.seed, a.threads);
    const auto man = read_manifest(a.data);
    const TrainingSplits splits = load_training_splits(a.data, model->view(), a.early_fold, -1, a.exclude_af);
    nlohmann::json decision;  // class weights from `heartwave cv`, checked before training
    if (!a.decision.empty()) {
      decision = read_json_file(a.decision);
      try {
        class_weights_from_json(decision);
        rhythm_step_from_json(decision);
      } catch (const FormatError& e) {
        throw FormatError(a.decision + ": " + e.what());
      }
      if (decision.value("dataset_manifest_sha256", "") != splits.manifest_sha256)
        spdlog::warn("{} was chosen on another dataset (manifest {}) than this model is trained on ({})", a.decision,
                     decision.value("dataset_manifest_sha256", "unknown"), splits.manifest_sha256);
    }
    spdlog::info("{}: {} rows to fit, {} for early stopping ({})", a.model, splits.fit.n, splits.early.n, splits.description);
    Progress bar;
    std::vector<double> elapsed;  // seconds since fitting began, at the end of each logged iteration
    const auto started = std::chrono::steady_clock::now();
    const TrainResult res = model->fit(splits.fit, splits.early, [&](int it, int total, const TrainLogEntry& e) {
      elapsed.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      bar.update("train", static_cast<std::size_t>(it), static_cast<std::size_t>(total));
      if (e.early_macro_f1 >= 0 && !bar.active())
        spdlog::info("{} {}/{}: train loss {:.4f}, early-stopping loss {:.4f}, macro-F1 {:.2f}%", e.stage, it, total,
                     e.train_loss, e.early_loss, 100 * e.early_macro_f1);
    });
    bar.finish();
    const bool stops = splits.early.n > 0;
    const Metrics em = stops ? compute_metrics(splits.early.y, argmax_rows(model->predict_proba(splits.early.X, splits.early.n)))
                             : Metrics{};
    nlohmann::json log = nlohmann::json::array();
    for (std::size_t i = 0; i < res.log.size(); ++i) {
      const TrainLogEntry& e = res.log[i];
      nlohmann::json entry = {{"iteration", e.iteration}, {"train_loss", e.train_loss}, {"stage", e.stage}};
      if (stops) entry.update({{"early_loss", e.early_loss}, {"early_macro_f1", e.early_macro_f1}});
      if (elapsed.size() == res.log.size()) entry["seconds"] = elapsed[i];
      log.push_back(std::move(entry));
    }
    nlohmann::json meta;
    meta["heartwave_version"] = kVersion;
    meta["build"] = build_info();
    meta["seed"] = a.seed;
    meta["protocol"] = man["protocol"];
    meta["label_set"] = man["label_set"];
    meta["classes"] = man["classes"];
    meta["feature_names"] = man["schema"]["feature_names"];
    meta["preprocessing"] = man["preprocessing"];
    meta["dataset_manifest_sha256"] = splits.manifest_sha256;
    meta["training"] = {{"best_iteration", res.best_iteration}, {"iterations_run", res.log.size()},
                        {"seconds", res.seconds}, {"rows_fit", splits.fit.n}, {"rows_early", splits.early.n},
                        {"rows", splits.description}, {"exclude_af", a.exclude_af}};
    meta["training_log"] = log;
    if (!decision.is_null()) meta["decision"] = decision;
    meta["metrics"] = nlohmann::json::object();
    if (stops) meta["metrics"]["early_stopping_split"] = to_json(em);
    save_bundle(a.out, *model, meta);
    const nlohmann::json log_doc = {{"build", build_info()}, {"log", log}};
    write_file_atomic(a.out + ".log.json", log_doc.dump(1) + "\n");
    if (stops)
      std::printf("%s: best iteration %d of %zu in %.1f s; early-stopping rows: accuracy %.2f%%, macro-F1 %.2f%%\n",
                  a.model.c_str(), res.best_iteration, res.log.size(), res.seconds, 100 * em.accuracy, 100 * em.f1_macro);
    else
      std::printf("%s: %zu iterations in %.1f s, no early stopping\n", a.model.c_str(), res.log.size(), res.seconds);
    std::printf("wrote %s (%ju bytes) and %s.log.json\n", a.out.c_str(),
                static_cast<std::uintmax_t>(std::filesystem::file_size(a.out)), a.out.c_str());
    return 0;
  });
}

namespace {
int evaluate_records(const EvaluateArgs& a, const std::optional<RhythmStep>& given_step);
}  // namespace

int run_evaluate(const EvaluateArgs& a) {
  return guarded([&] {
    if (a.data.empty() == a.records.empty()) throw InvalidArgument("evaluate: give exactly one of --data and --records");
    if (a.records.empty() && (!a.only.empty() || !a.exclude.empty() || a.exclude_paced))
      throw InvalidArgument("evaluate: --only, --exclude and --exclude-paced choose records of --records");
    if (a.store && !a.rhythm_step.empty())
      throw InvalidArgument("evaluate --store: a model stores the figures of its own decision rule; drop --rhythm-step");
    if (a.store && !a.records.empty())
      throw InvalidArgument("evaluate --store: a model stores the figures of a dataset split (its test split); not with --records");
    const auto given_step = given_rhythm_step(a);
    if (!a.records.empty()) return evaluate_records(a, given_step);
    prepare_output_dir(a.out);
    const Applied r = apply_model(a, given_step);
    const ModelBundle& b = r.bundle;
    const Rows& rows = r.rows;
    const auto& pred = r.pred;
    const Metrics m = compute_metrics(rows.y, pred);
    nlohmann::json j = metrics_document(m, rows.y, pred, rows.record, rows.r_sample,
                                        r.manifest["preprocessing"]["fs"].get<double>(), a.split, r.manifest["protocol"]);
    j["model_sha256"] = sha256_file(a.model);
    j["dataset_manifest_sha256"] = sha256_file(std::filesystem::path(a.data) / "manifest.json");
    j["split_sha256"] = split_digest(r.manifest, a.split);
    j["class_weights"] = weights_for(a, b.meta);
    j["rhythm_step"] = to_json(r.gate);
    // Figures stored in the model for this very split (same content) must be reproduced.
    if (b.meta.contains("metrics") && b.meta["metrics"].contains("evaluation")) {
      const auto& st = b.meta["metrics"]["evaluation"];
      // Only under the same decision rule (--argmax / --no-rhythm-step change it on purpose).
      const bool same_rule = st.value("class_weights", j["class_weights"]) == j["class_weights"] &&
                             same_rhythm_step(st, r.gate);
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

constexpr const char* kPredictionHeader = "record,r_sample,label,predicted,p_N,p_S,p_V,p_F,p_Q\n";

// One line of predict's CSV; `label` is empty when the truth is unknown, and
// `r_sample` when it is negative (beats given without times).
void append_prediction(std::string& out, const std::string& record, std::int64_t r_sample, std::string_view label,
                       int predicted, const float* p) {
  char buf[256];
  const std::string at = r_sample < 0 ? std::string() : std::to_string(r_sample);
  std::snprintf(buf, sizeof buf, "%s,%s,%.*s,%s,%.6f,%.6f,%.6f,%.6f,%.6f\n", record.c_str(), at.c_str(),
                static_cast<int>(label.size()), label.data(), std::string(class_name(predicted)).c_str(), p[0], p[1], p[2], p[3], p[4]);
  out += buf;
}

void write_predictions(const std::string& out_path, const std::string& out) {
  if (out_path == "-") std::fputs(out.c_str(), stdout);
  else write_file_atomic(out_path, out);
}

// One lead in, a two-lead model: refused before classifying, naming the
// shipped one-lead model (the pipeline's own error cannot know of it).
void check_lead_count(const ModelDataArgs& a, const BeatPipeline& pipe, const std::string& what, std::size_t leads) {
  if (leads >= 2 || !pipe.preprocessing().second_lead) return;
  const auto one_lead = std::filesystem::path(HEARTWAVE_DEFAULT_MODEL).parent_path() / "one-lead.hwm";
  throw InvalidArgument(what + " holds one lead and the model " + a.model + " uses two; give --model " + one_lead.string() +
                        " (the shipped one-lead model)" + (a.beats.empty() ? "" : ", or each beat's second-lead window after the first"));
}

// Raw ECG in (a WFDB record with its beat annotations, or a CSV of beats),
// through the preprocessing recorded in the model.
int predict_raw(const PredictArgs& a, const std::optional<RhythmStep>& given_step) {
  const ModelBundle b = load_bundle(a.model, a.threads);
  const BeatPipeline pipe(b.meta, *b.model);
  BeatPipeline::RecordResult res;
  std::string name;
  bool labelled = false;
  if (!a.record.empty()) {
    const Recording rec = to_recording(read_record(a.record));
    check_lead_count(a, pipe, a.record, rec.leads.size());
    name = rec.name;
    res = pipe.classify_record(rec, read_annotations(a.record + "." + a.annotator));
    labelled = true;
  } else {
    const BeatsCsv csv = read_beats_csv(a.beats, static_cast<std::size_t>(pipe.preprocessing().window.length()));
    name = std::filesystem::path(a.beats).stem().string();
    if (!csv.timed && pipe.needs_beat_times()) {
      const auto alone = std::filesystem::path(HEARTWAVE_DEFAULT_MODEL).parent_path() / "window-only.hwm";
      throw InvalidArgument(a.beats + " holds beats without R-peak sample numbers, and the model " + a.model +
                            " reads RR intervals or the record's dominant beat; give each beat's r_sample first, or --model " +
                            alone.string() + " (the shipped model that reads the beat's window alone)");
    }
    check_lead_count(a, pipe, a.beats, csv.leads);
    if (csv.leads == 2 && !pipe.preprocessing().second_lead)
      std::fprintf(stderr, "note: %s holds two leads; the model uses one, so the second lead's windows are not used\n", a.beats.c_str());
    res = pipe.classify_windows(name, csv.samples, csv.r_sample, csv.samples2);
  }
  const auto pred = pipe.decide(res, !a.argmax, gate_for(a, given_step, pipe.rhythm_step()));
  std::string out = kPredictionHeader;
  for (std::size_t i = 0; i < pred.size(); ++i) {
    const auto& beat = res.beats.beats[i];
    append_prediction(out, name, beat.r_sample, labelled ? class_name(beat.label) : std::string_view(), pred[i],
                      res.proba.data() + i * 5);
  }
  write_predictions(a.out, out);
  if (a.out != "-") std::printf("%zu beats classified; wrote %s\n", pred.size(), a.out.c_str());
  return 0;
}

}  // namespace

namespace {

// An earlier cv run's out-of-fold rows (predictions.csv for the beats and
// labels, proba.npy and fold.npy exactly as it wrote them) and its
// metrics.json "cross_validation" object. The run must be of this dataset.
CrossValidation read_cv_run(const std::filesystem::path& dir, const std::string& manifest_sha, nlohmann::json& cross_validation) {
  const auto where = [&](const char* file) { return (dir / file).string(); };
  const nlohmann::json metrics = read_json_file(where("metrics.json"));
  if (!metrics.is_object() || !metrics.contains("cross_validation") || !metrics["cross_validation"].is_object())
    throw FormatError(where("metrics.json") + ": no cross_validation object (not a heartwave cv folder)");
  cross_validation = metrics["cross_validation"];
  for (const char* key : {"family", "description"})
    if (!cross_validation.contains(key) || !cross_validation[key].is_string())
      throw FormatError(where("metrics.json") + ": cross_validation." + key + " is not a string");
  if (!cross_validation.contains("early_stopping") || !cross_validation["early_stopping"].is_boolean())
    throw FormatError(where("metrics.json") + ": cross_validation.early_stopping is not true or false");
  if (metrics.value("dataset_manifest_sha256", std::string()) != manifest_sha)
    throw InvalidArgument("cv --from: " + dir.string() + " was run on another dataset than --data (manifest SHA-256 differs)");
  const PredictionRows rows = read_predictions_csv(dir / "predictions.csv");
  const NpyArray proba = read_npy(dir / "proba.npy"), fold = read_npy(dir / "fold.npy");
  const std::size_t n = rows.size();
  if (proba.descr != npy_descr<float>() || proba.shape != std::vector<std::uint64_t>{n, 5})
    throw FormatError(where("proba.npy") + ": expected float32 " + std::to_string(n) + " x 5, one row per line of predictions.csv");
  if (fold.descr != npy_descr<std::int32_t>() || fold.shape != std::vector<std::uint64_t>{n})
    throw FormatError(where("fold.npy") + ": expected int32 x " + std::to_string(n) + ", one per line of predictions.csv");
  CrossValidation cv;
  const auto p = proba.as<float>();
  cv.proba.assign(p.begin(), p.end());
  const auto f = fold.as<std::int32_t>();
  cv.fold.assign(f.begin(), f.end());
  cv.predicted = argmax_rows(cv.proba);
  for (std::size_t i = 0; i < n; ++i) {
    if (rows.truth[i] < 0) throw FormatError(where("predictions.csv") + ": line " + std::to_string(i + 2) + " has no label");
    if (cv.predicted[i] != rows.predicted[i])
      throw FormatError(where("proba.npy") + ": row " + std::to_string(i) + " does not give predictions.csv's class (files from different runs?)");
    const std::string line = where("predictions.csv") + ":" + std::to_string(i + 2);
    const std::int64_t rec = parse_int(rows.record[i], line, "record number");
    if (!std::in_range<std::int32_t>(rec)) throw FormatError(line + ": record " + rows.record[i] + " is out of range");
    cv.record.push_back(static_cast<std::int32_t>(rec));
  }
  cv.truth = rows.truth;
  cv.r_sample = rows.r_sample;
  std::set<std::int32_t> folds(cv.fold.begin(), cv.fold.end());
  cv.folds = static_cast<int>(folds.size());
  if (cross_validation.contains("best_iteration")) {
    const auto& b = cross_validation["best_iteration"];
    if (!b.is_array()) throw FormatError(where("metrics.json") + ": cross_validation.best_iteration is not a list");
    for (const auto& v : b) {
      const auto it = json_integer_in(v, -1, 1'000'000'000);
      if (!it) throw FormatError(where("metrics.json") + ": cross_validation.best_iteration holds a value that is not an iteration");
      cv.best_iteration.push_back(static_cast<int>(*it));
    }
  }
  cv.description = cross_validation["description"].get<std::string>() + " (decided again from " + dir.string() + ")";
  cross_validation["description"] = cv.description;
  cross_validation["decided_again_from"] = dir.string();
  return cv;
}

}  // namespace

void register_cv(CLI::App& app, CvArgs& c, int& status) {
  CLI::App* cmd = app.add_subcommand(
      "cv", "Record-grouped cross-validation inside DS1 (inter-patient datasets): metrics of out-of-fold predictions, for model selection without DS2");
  add_family_options(cmd, c.model, c.data, c.params, c.seed, c.threads, "Inter-patient dataset folder (with manifest.json)", false);
  cmd->add_option("--from", c.from,
                  "An earlier cv output folder: choose the decision (class weights, rhythm step) again on its out-of-fold "
                  "probabilities (proba.npy, fold.npy, predictions.csv) without training; --model, --params, --seed, "
                  "--exclude-af and --leave-one-record-out are then the earlier run's")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", c.out, "Output folder: metrics.json, report.html, predictions.csv (argmax), decision.json, decided.csv (the decision rule, "
                  "its rhythm gate nested), proba.npy and fold.npy (the exact out-of-fold probabilities and folds, for --from)")->required();
  cmd->add_flag("--no-early-stopping", c.no_early_stopping,
                "Fit each fold's model on all other folds for the configured number of rounds or epochs (as train --early-fold -1)");
  cmd->add_flag("--exclude-af", c.exclude_af, kExcludeAfHelp);
  auto* argmax = cmd->add_flag("--argmax", c.argmax, "decision.json keeps class weights of 1 (the rhythm gate is then chosen on the plain argmax)");
  cmd->add_option("--class-weights", c.class_weights,
                  "decision.json keeps these fixed weights for N,S,V,F,Q (e.g. 1,2,1,1,1: an operating point with more S calls) instead of "
                  "fitting them; the rhythm gate is then chosen on the decisions they make")
      ->delimiter(',')
      ->expected(5)
      ->excludes(argmax);
  cmd->add_flag("--adapt-forms", c.adapt_forms,
                "The rhythm step also chooses the record adaptation's form (priors, taking S calls back, a third input), nested "
                "like its thresholds");
  cmd->add_option("--adapt-passes", c.adapt_passes,
                  "Passes of the record adaptation, each refitted on the decisions the one before left (1 to " +
                      std::to_string(kMaxAdaptPasses) + "; fixed, not chosen)")
      ->check(CLI::Range(1, kMaxAdaptPasses));
  auto* step_choice = cmd->add_option("--step-choice", c.step_choice,
                  "How the rhythm step's grid point is chosen, here and in each fold for the nested figure: best (by its own pooled "
                  "figures, as --step-criterion says) or smoothed (by those figures averaged over the point and its neighbours one "
                  "threshold step away)")
      ->check(CLI::IsMember({step_choice_name(StepChoice::best), step_choice_name(StepChoice::smoothed)}));
  auto* step_criterion = cmd->add_option("--step-criterion", c.step_criterion,
                  "What the rhythm step is chosen for: macro_f1 (the pooled 5-class macro-F1) or sveb_se (the pooled SVEB "
                  "sensitivity among the grid points whose SVEB +P is at least --step-floor; ties to the higher macro-F1)")
      ->check(CLI::IsMember({step_criterion_name(StepCriterion::macro_f1), step_criterion_name(StepCriterion::sveb_se)}));
  auto* step_floor = cmd->add_option("--step-floor", c.step_floor, "The SVEB +P floor of --step-criterion sveb_se, from 0 to 1 (e.g. 0.6)")
      ->check(CLI::Range(0.0, 1.0));
  auto* gate_intervals = cmd->add_option("--gate-intervals", c.gate_intervals,
                  "The intervals the AF gate's irregularity counts, for every rhythm step tried: not_v (between beats not called V) "
                  "or n_only (between two beats called N, so that premature beats do not look like AF); fixed, not chosen")
      ->check(CLI::IsMember({"not_v", "n_only"}));
  auto* gate_window = cmd->add_option("--gate-window", c.gate_window,
                  "The AF gate's window, beats either side of each beat, for every rhythm step tried (default 16; fixed, not chosen)")
      ->check(CLI::Range(1, kMaxHalfWindow));
  auto* gate_p_measure = cmd->add_option("--gate-p-measure", c.gate_p_measure,
                  "The AF gate's sign of no consistent P wave, for every rhythm step tried: tpl_corr_p (the window's median P-wave "
                  "correlation with the dominant beat) or coherence (how much of the beats' P-region energy survives averaging "
                  "them, near 0 in AF); fixed, not chosen")
      ->check(CLI::IsMember({p_measure_name(PMeasure::tpl_corr_p), p_measure_name(PMeasure::coherence)}));
  auto* gate_fit = cmd->add_option("--gate-fit", c.gate_fit,
                  "How the AF gate's two thresholds are chosen: macro_f1 (with the rest of the rhythm step, for the beats' pooled "
                  "figures) or rhythm (the pair whose verdicts best match DS1's annotated atrial fibrillation and flutter, by "
                  "balanced accuracy, the rest of the step then chosen with it; nested like the rest)")
      ->check(CLI::IsMember({gate_fit_name(GateFit::macro_f1), gate_fit_name(GateFit::rhythm)}));
  cmd->add_option("--rhythm-step", c.rhythm_step,
                  "A decision.json whose rhythm step (rhythm_step) decides every fold as it is, instead of one chosen here: "
                  "model changes judged with the decision rule held fixed")
      ->check(CLI::ExistingFile)
      ->excludes("--adapt-forms")
      ->excludes("--adapt-passes")
      ->excludes(step_choice)
      ->excludes(step_criterion)
      ->excludes(step_floor)
      ->excludes(gate_intervals)
      ->excludes(gate_window)
      ->excludes(gate_p_measure)
      ->excludes(gate_fit);
  cmd->add_flag("--leave-one-record-out", c.leave_one_record_out,
                "One fold per DS1 record, each predicted by a model fitted on all other records (no early stopping)");
  cmd->callback([&] { status = run_cv(c); });
}

namespace {

// cv's rhythm step search, from its options (checked before any training).
RhythmStepSearch step_search(const CvArgs& a) {
  RhythmStepSearch s;
  s.adapt_forms = a.adapt_forms;
  s.adapt_passes = a.adapt_passes;
  s.choice = step_choice_from_name(a.step_choice);
  s.criterion = step_criterion_from_name(a.step_criterion);
  s.sveb_ppv_floor = a.step_floor;
  s.irregularity_n_only = a.gate_intervals == "n_only";
  s.half_window = a.gate_window;
  s.p_measure = p_measure_from_name(a.gate_p_measure);
  s.gate_fit = gate_fit_from_name(a.gate_fit);
  if (s.gate_fit == GateFit::rhythm && s.choice == StepChoice::smoothed)
    throw InvalidArgument("cv: --step-choice smoothed averages over the AF gate's thresholds, which --gate-fit rhythm does not choose");
  if (s.criterion != StepCriterion::sveb_se && a.step_floor != 0)
    throw InvalidArgument("cv: --step-floor is the SVEB +P floor of --step-criterion sveb_se");
  return s;
}

}  // namespace

int run_cv(const CvArgs& a) {
  return guarded([&] {
    const RhythmStepSearch search = step_search(a);  // a bad combination refused before any work
    for (std::size_t c = 0; c < a.class_weights.size(); ++c)  // before the folds, not after
      if (!std::isfinite(a.class_weights[c]) || a.class_weights[c] <= 0)
        throw InvalidArgument("cv: --class-weights: weight " + std::to_string(c + 1) + " (" + std::string(1, "NSVFQ"[c]) +
                              ") must be finite and positive");
    if (!a.from.empty()) {
      if (a.no_early_stopping || a.leave_one_record_out || a.exclude_af || !a.params.empty() || !a.model.empty())
        throw InvalidArgument("cv --from: the family, parameters and folds are the earlier run's; give no --model, --params, "
                              "--no-early-stopping, --leave-one-record-out or --exclude-af");
      if (std::filesystem::weakly_canonical(a.from) == std::filesystem::weakly_canonical(a.out))
        throw InvalidArgument("cv --from: write to another folder than " + a.from);
    } else if (a.model.empty()) {
      throw InvalidArgument("cv: --model is required (or --from an earlier cv folder)");
    }
    // --rhythm-step: read and checked before any training.
    std::optional<RhythmStep> given_gate;
    if (!a.rhythm_step.empty()) given_gate = rhythm_step_file("cv --rhythm-step", a.rhythm_step);
    prepare_output_dir(a.out);
    const auto man = read_manifest(a.data);
    if (search.gate_fit == GateFit::rhythm && !man["files"].contains("train/rhythm.npy"))  // before any training
      throw FormatError(a.data + ": no rhythm column to fit the AF gate to (a dataset built before it existed: rebuild it)");
    const std::string manifest_sha = sha256_file(std::filesystem::path(a.data) / "manifest.json");
    CrossValidation cv;
    nlohmann::json cross_validation;
    if (a.from.empty()) {
      const nlohmann::json params = a.params.empty() ? nlohmann::json::object() : read_json_file(a.params);
      Progress bar;
      const auto on_fold = [&](int f, int n) {
        if (bar.active()) bar.update("cv folds", static_cast<std::size_t>(f), static_cast<std::size_t>(n));
        else spdlog::info("fold {}/{} done", f, n);
      };
      const bool stops = !a.no_early_stopping && !a.leave_one_record_out;
      cv = a.leave_one_record_out ? leave_one_record_out(a.model, params, a.data, a.seed, a.threads, on_fold, a.exclude_af)
                                  : cross_validate(a.model, params, a.data, a.seed, a.threads, on_fold, stops, a.exclude_af);
      bar.finish();
      cross_validation = {{"description", cv.description}, {"folds", cv.folds}, {"best_iteration", cv.best_iteration},
                          {"early_stopping", stops}, {"leave_one_record_out", a.leave_one_record_out},
                          {"exclude_af", a.exclude_af},
                          {"family", a.model}, {"params", create_classifier(a.model, params, a.seed, a.threads)->params()},
                          {"seed", a.seed}};
      if (stops) cross_validation["median_best_iteration"] = median_best_iteration(cv);
    } else {
      cv = read_cv_run(a.from, manifest_sha, cross_validation);
    }
    const std::string family = cross_validation["family"].get<std::string>();
    const bool stops = cross_validation["early_stopping"].get<bool>();
    const Metrics m = compute_metrics(cv.truth, cv.predicted);
    nlohmann::json j = metrics_document(m, cv.truth, cv.predicted, cv.record, cv.r_sample,
                                        man["preprocessing"]["fs"].get<double>(), "cv-ds1", man["protocol"]);
    j["dataset_manifest_sha256"] = manifest_sha;
    j["cross_validation"] = cross_validation;
    // Class weights for the decision, chosen on these out-of-fold
    // probabilities; their honest figure is the nested one.
    nlohmann::json decision = to_json(fit_class_weights(cv.proba, cv.truth, cv.fold));
    decision["chosen_by"] = "heartwave cv: pooled 5-class macro-F1 of out-of-fold DS1 predictions (" + cv.description + ")";
    if (a.argmax) {
      decision["class_weights"] = ClassWeights{1, 1, 1, 1, 1};
      decision["class_weights_fitted"] = false;  // --argmax: the figures above are for information only
    } else if (!a.class_weights.empty()) {
      decision["class_weights"] = a.class_weights;
      decision["class_weights_fitted"] = false;  // given by --class-weights, not chosen here
    }
    // The rhythm gate, chosen on the decisions these class weights make.
    RhythmStepFit gate_fit;
    {
      const auto decided = decide(cv.proba, class_weights_from_json(decision));
      const TrainingSplits ds1 = load_training_splits(a.data, View::feat_only, -1);
      const auto ds1_p = p_wave_from_rows(ds1.fit, man);
      std::map<std::pair<std::int32_t, std::int64_t>, std::size_t> row_of;
      for (std::size_t i = 0; i < ds1.fit.n; ++i) row_of[{ds1.fit.record[i], ds1.fit.r_sample[i]}] = i;
      std::vector<std::size_t> at(cv.truth.size());
      for (std::size_t i = 0; i < at.size(); ++i) at[i] = row_of.at({cv.record[i], cv.r_sample[i]});
      std::vector<float> p(cv.truth.size());
      std::vector<std::int32_t> rhythm(cv.truth.size(), -1);
      for (std::size_t i = 0; i < p.size(); ++i) {
        p[i] = ds1_p[at[i]];
        if (!ds1.fit.rhythm.empty()) rhythm[i] = ds1.fit.rhythm[at[i]];
      }
      // The beats' P regions, only where a gate measures P-wave coherence.
      std::vector<float> regions;
      if (search.p_measure == PMeasure::coherence || (given_gate && given_gate->p_measure == PMeasure::coherence)) {
        const auto base = p_regions_from_rows(load_training_splits(a.data, View::base, -1).fit, man);
        regions.resize(cv.truth.size() * kPRegionLength);
        for (std::size_t i = 0; i < at.size(); ++i)
          std::copy_n(base.begin() + static_cast<std::ptrdiff_t>(at[i] * kPRegionLength), kPRegionLength,
                      regions.begin() + static_cast<std::ptrdiff_t>(i * kPRegionLength));
      }
      const double fs = man["preprocessing"]["fs"].get<double>();
      if (!given_gate) {
        gate_fit = fit_rhythm_step(decided, cv.truth, cv.record, cv.r_sample, p, fs, cv.fold, search, regions, rhythm);
      } else {  // given, not chosen: every fold decided by it, so the "nested" decisions are simply its decisions
        gate_fit.gate = *given_gate;
        gate_fit.nested_decisions = step_decisions(decided, cv.record, cv.r_sample, p, fs, gate_fit.gate, regions);
        gate_fit.macro_f1_before = compute_metrics(cv.truth, decided).f1_macro;
        gate_fit.macro_f1_gated = gate_fit.macro_f1_nested = compute_metrics(cv.truth, gate_fit.nested_decisions).f1_macro;
        gate_fit.fold_gates.assign(static_cast<std::size_t>(cv.folds), gate_fit.gate);
      }
      decision["rhythm_step"] = to_json(gate_fit);
      // How the chosen gate's AF verdicts agree with the annotated rhythm
      // (the dataset's rhythm column, never a model input).
      if (!ds1.fit.rhythm.empty()) {
        const auto verdict = gate_verdicts(decided, cv.record, cv.r_sample, p, fs, gate_fit.gate, regions);
        std::array<std::size_t, 4> n{};  // [annotated AF][gated]
        for (std::size_t i = 0; i < verdict.size(); ++i)
          if (rhythm[i] >= 0) ++n[static_cast<std::size_t>(2 * (rhythm[i] == 1) + verdict[i])];
        decision["rhythm_step"]["af_agreement"] = {
            {"description", "beats whose window the chosen gate judges AF, inside and outside annotated AF/flutter ((AFIB, (AFL)"},
            {"af_beats", n[2] + n[3]}, {"af_beats_gated", n[3]}, {"other_beats", n[0] + n[1]}, {"other_beats_gated", n[1]}};
      }
      if (!a.rhythm_step.empty()) {
        decision["rhythm_step"]["given_by"] = a.rhythm_step;
        for (const char* k : {"step_choice", "step_criterion", "step_sveb_ppv_floor", "gate_fit"}) decision["rhythm_step"].erase(k);  // not chosen here
      }
    }
    decision["family"] = family;
    decision["params"] = j["cross_validation"]["params"];
    decision["dataset_manifest_sha256"] = j["dataset_manifest_sha256"];
    j["decision"] = decision;
    const nlohmann::json meta = {{"family", family}, {"label_set", man["label_set"]}};
    std::string csv = kPredictionHeader;
    for (std::size_t i = 0; i < cv.truth.size(); ++i)
      append_prediction(csv, std::to_string(cv.record[i]), cv.r_sample[i], class_name(cv.truth[i]), cv.predicted[i], cv.proba.data() + i * 5);
    std::filesystem::create_directories(a.out);
    j["build"] = build_info();
    write_file_atomic(std::filesystem::path(a.out) / "metrics.json", j.dump(2) + "\n");
    write_file_atomic(std::filesystem::path(a.out) / "report.html", render_report(j, meta));
    write_file_atomic(std::filesystem::path(a.out) / "predictions.csv", csv);
    // The exact out-of-fold probabilities and folds, for `cv --from`.
    write_file_atomic(std::filesystem::path(a.out) / "proba.npy",
                      encode_npy<float>(cv.proba, {static_cast<std::uint64_t>(cv.truth.size()), 5}));
    write_file_atomic(std::filesystem::path(a.out) / "fold.npy",
                      encode_npy<std::int32_t>(cv.fold, {static_cast<std::uint64_t>(cv.fold.size())}));
    // The honest decisions of the rule in decision.json: each fold decided
    // by the class weights of 1 or those chosen (as decision.json says) and
    // the rhythm gate chosen without it.
    if (gate_fit.nested_decisions.size() != cv.truth.size()) throw InvalidArgument("cv: no nested decisions (no folds?)");
    std::string decided_csv = kPredictionHeader;
    for (std::size_t i = 0; i < cv.truth.size(); ++i)
      append_prediction(decided_csv, std::to_string(cv.record[i]), cv.r_sample[i], class_name(cv.truth[i]),
                        gate_fit.nested_decisions[i], cv.proba.data() + i * 5);
    write_file_atomic(std::filesystem::path(a.out) / "decided.csv", decided_csv);
    decision["build"] = build_info();
    write_file_atomic(std::filesystem::path(a.out) / "decision.json", decision.dump(2) + "\n");
    std::printf("%s\n", cv.description.c_str());
    std::printf("class weights (S, V, F) %g, %g, %g: macro-F1 %.2f%% -> %.2f%% on these predictions, %.2f%% nested "
                "(weights chosen without each fold); wrote decision.json for train --decision\n",
                decision["class_weights"][1].get<double>(), decision["class_weights"][2].get<double>(),
                decision["class_weights"][3].get<double>(), 100 * decision["macro_f1_argmax"].get<double>(),
                100 * decision["macro_f1_weighted"].get<double>(), 100 * decision["macro_f1_nested"].get<double>());
    const auto& gate = decision["rhythm_step"];
    if (gate["enabled"].get<bool>())
      std::printf("rhythm gate (S where pre-RR < %g x the record's mean RR, 0: never; then no S where irregularity > %g and "
                  "P-wave %s < %g; then record adaptation where >= %d S and N decisions, 0: never; "
                  "priors %s, S calls taken back: %s, third input %s, passes %d; irregularity over %s intervals, %d beats either side; grid point chosen: %s): "
                  "macro-F1 %.2f%% -> %.2f%% on these predictions, %.2f%% nested\n",
                  gate["premature"].get<double>(), gate["irregularity"].get<double>(),
                  gate["p_measure"] == "coherence" ? "coherence" : "median correlation", gate["p_wave"].get<double>(),
                  gate["adapt_min_beats"].get<int>(), gate["adapt_priors"].get<std::string>().c_str(),
                  gate["adapt_take_back"].get<bool>() ? "yes" : "no", gate["adapt_third"].get<std::string>().c_str(), gate["adapt_passes"].get<int>(),
                  gate["gate_intervals"].get<std::string>().c_str(), gate["half_window"].get<int>(), gate.value("step_choice", std::string("given, not chosen")).c_str(), 100 * gate["macro_f1_before"].get<double>(),
                  100 * gate["macro_f1_gated"].get<double>(), 100 * gate["macro_f1_nested"].get<double>());
    else
      std::printf("rhythm step: none raises macro-F1 on these predictions (%.2f%% nested)\n", 100 * gate["macro_f1_nested"].get<double>());
    if (gate.value("gate_fit", std::string()) == "rhythm")
      std::printf("AF gate thresholds fitted to the annotated rhythm: balanced accuracy %.2f%% on all rows\n",
                  100 * gate["af_balanced_accuracy"].get<double>());
    if (gate.contains("af_agreement")) {
      const auto& ag = gate["af_agreement"];
      std::printf("AF gate against the annotated rhythm: %zu of %zu beats in AF/flutter gated, %zu of %zu other beats gated\n",
                  ag["af_beats_gated"].get<std::size_t>(), ag["af_beats"].get<std::size_t>(), ag["other_beats_gated"].get<std::size_t>(),
                  ag["other_beats"].get<std::size_t>());
    }
    if (!a.rhythm_step.empty())
      std::printf("rhythm step given by %s, not chosen here: every fold decided by it (the \"nested\" figure is its own)\n",
                  a.rhythm_step.c_str());
    if (stops)
      std::printf("best iteration per fold: %s; median %d (for train --early-fold -1 on all of DS1)\n",
                  nlohmann::json(cv.best_iteration).dump().c_str(), median_best_iteration(cv));
    print_metrics(family + " out of fold on " + a.data, m, j);
    return 0;
  });
}


namespace {

// The records of `a.records` with a header and reference annotations, by
// name, after --only and --exclude; `unannotated` gets the headers without.
std::vector<std::string> annotated_records(const EvaluateArgs& a, std::vector<std::string>& unannotated) {
  const std::filesystem::path dir = a.records;
  if (!std::filesystem::is_directory(dir)) throw IoError(a.records + ": records folder not found");
  const std::set<std::string> only(a.only.begin(), a.only.end()), exclude(a.exclude.begin(), a.exclude.end());
  std::vector<std::string> names;
  std::set<std::string> found;  // annotated, before --exclude
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".hea") continue;
    const std::string name = e.path().stem().string();
    if (!only.empty() && !only.count(name)) continue;
    const bool annotated = std::filesystem::exists(dir / (name + "." + a.annotator));
    if (annotated) found.insert(name);
    if (!exclude.count(name)) (annotated ? names : unannotated).push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::sort(unannotated.begin(), unannotated.end());
  for (const auto& n : only)
    if (!found.count(n))
      throw InvalidArgument("evaluate --only: no record '" + n + "' with a header and ." + a.annotator + " annotations in " + a.records);
  if (names.empty())
    throw InvalidArgument(a.records + ": no record with a header (.hea) and reference annotations (." + a.annotator + ") to evaluate");
  return names;
}

// evaluate --records: every annotated record of a folder end to end, as
// predict --record classifies one, pooled and scored with the record as the
// bootstrap unit; the records are numbered in name order.
int evaluate_records(const EvaluateArgs& a, const std::optional<RhythmStep>& given_step) {
  std::vector<std::string> unannotated;
  const std::vector<std::string> names = annotated_records(a, unannotated);
  prepare_output_dir(a.out);
  const ModelBundle b = load_bundle(a.model, a.threads);
  const BeatPipeline pipe(b.meta, *b.model);
  const RhythmStep gate = gate_for(a, given_step, pipe.rhythm_step());
  const Preprocessing& pre = pipe.preprocessing();
  std::vector<std::int32_t> truth, pred, record;
  std::vector<std::int64_t> r_sample;
  std::string csv = kPredictionHeader;
  nlohmann::json per_record = nlohmann::json::array();
  std::map<std::string, std::size_t> unscored;
  std::vector<std::string> paced;  // left out by --exclude-paced
  Progress bar;
  for (std::size_t k = 0; k < names.size(); ++k) {
    bar.update("records", k, names.size());
    const std::string path = (std::filesystem::path(a.records) / names[k]).string();
    const auto anns = read_annotations(path + "." + a.annotator);
    if (a.exclude_paced && std::any_of(anns.begin(), anns.end(), [](const Annotation& x) {
          const auto m = annotation_mnemonic(x.code);
          return m == "/" || m == "f";
        })) {
      paced.push_back(names[k]);
      continue;
    }
    const Recording rec = to_recording(read_record(path));
    check_lead_count(a, pipe, path, rec.leads.size());
    for (const auto& ann : anns)  // beats whose type the label set has no class for: not scored, but counted
      if (is_beat_code(ann.code) && !class_of(pipe.label_set(), ann.code)) ++unscored[std::string(annotation_mnemonic(ann.code))];
    const auto res = pipe.classify_record(rec, anns);
    const auto p = pipe.decide(res, !a.argmax, gate);
    std::size_t errors = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const auto& beat = res.beats.beats[i];
      truth.push_back(beat.label);
      pred.push_back(p[i]);
      record.push_back(static_cast<std::int32_t>(k));
      r_sample.push_back(beat.r_sample);
      errors += beat.label != p[i];
      append_prediction(csv, names[k], beat.r_sample, class_name(beat.label), p[i], res.proba.data() + i * 5);
    }
    nlohmann::json leads = {rec.leads[pre.choose_lead(rec.leads, names[k])]};
    if (pre.second_lead) leads.push_back(rec.leads[pre.choose_second_lead(rec.leads, names[k])]);
    per_record.push_back({{"record", names[k]}, {"fs", rec.fs}, {"leads", leads}, {"beats", p.size()}, {"errors", errors}});
  }
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
  j["class_weights"] = weights_for(a, b.meta);
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

int run_predict(const PredictArgs& a) {
  return guarded([&] {
    const int sources = !a.data.empty() + !a.record.empty() + !a.beats.empty();
    if (sources != 1) throw InvalidArgument("predict: give exactly one of --data, --record and --beats");
    const auto given_step = given_rhythm_step(a);  // before any output
    if (a.out != "-") prepare_output_file(a.out);
    if (a.data.empty()) return predict_raw(a, given_step);
    const Applied r = apply_model(a, given_step);
    const Rows& rows = r.rows;
    std::string out = kPredictionHeader;
    for (std::size_t i = 0; i < rows.n; ++i)
      append_prediction(out, std::to_string(rows.record[i]), rows.r_sample[i], class_name(rows.y[i]), r.pred[i],
                        r.proba.data() + i * 5);
    write_predictions(a.out, out);
    return 0;
  });
}

}  // namespace heartwave::cli
