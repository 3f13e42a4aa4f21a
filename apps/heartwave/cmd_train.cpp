// heartwave train: fit a model family on a dataset and write the model file.
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

void register_train(CLI::App& app, TrainArgs& t, int& status) {
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

}

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

}  // namespace heartwave::cli
