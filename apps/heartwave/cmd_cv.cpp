// heartwave cv: record-grouped cross-validation inside DS1, and choosing the decision rule on its out-of-fold predictions.
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
#include "heartwave/train/rhythm_step_search.hpp"
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
                  "its rhythm step nested), proba.npy and fold.npy (the exact out-of-fold probabilities and folds, for --from)")->required();
  cmd->add_flag("--no-early-stopping", c.no_early_stopping,
                "Fit each fold's model on all other folds for the configured number of rounds or epochs (as train --early-fold -1)");
  cmd->add_flag("--exclude-af", c.exclude_af, kExcludeAfHelp);
  auto* argmax = cmd->add_flag("--argmax", c.argmax, "decision.json keeps class weights of 1 (the rhythm step is then chosen on the plain argmax)");
  cmd->add_option("--class-weights", c.class_weights,
                  "decision.json keeps these fixed weights for N,S,V,F,Q (e.g. 1,2,1,1,1: an operating point with more S calls) instead of "
                  "fitting them; the rhythm step is then chosen on the decisions they make")
      ->delimiter(',')
      ->expected(5)
      ->excludes(argmax);
  auto* search = cmd->add_option("--search", c.search,
                                 "Search-space JSON for the rhythm step (the keys the options below set, e.g. "
                                 "configs/search/af-rhythm-fit.json; default: every key's default); an option given too "
                                 "overrides the file's key")
                     ->check(CLI::ExistingFile);
  auto* given_step = cmd->add_option("--rhythm-step", c.rhythm_step,
                                     "A decision.json whose rhythm step (rhythm_step) decides every fold as it is, instead of one "
                                     "chosen here: model changes judged with the decision rule held fixed")
                         ->check(CLI::ExistingFile)
                         ->excludes(search);
  // The search's keys, each also an option (declared once, in rhythm_step_search_parameters).
  for (const auto& p : rhythm_step_search_parameters()) {
    const std::string key = p.key, type = p.type;
    const std::string help = std::string(p.description) + " (search key " + key + ", default " + p.fallback.dump() + ")";
    CLI::Option* o = nullptr;
    if (type == "bool") {
      o = cmd->add_flag_callback(p.flag, [&c, key] { c.search_flags[key] = "true"; }, help);
    } else {
      o = cmd->add_option_function<std::string>(p.flag, [&c, key](const std::string& v) { c.search_flags[key] = v; }, help);
      if (type == "choice") o->check(CLI::IsMember(p.allowed.get<std::vector<std::string>>()));
      else if (type == "int") o->check(CLI::Range(p.allowed[0].get<std::int64_t>(), p.allowed[1].get<std::int64_t>()));
      else o->check(CLI::Range(p.allowed[0].get<double>(), p.allowed[1].get<double>()));
    }
    given_step->excludes(o);
  }
  cmd->add_flag("--leave-one-record-out", c.leave_one_record_out,
                "One fold per DS1 record, each predicted by a model fitted on all other records (no early stopping)");
  cmd->callback([&] { status = run_cv(c); });
}

namespace {

// cv's rhythm step search: the --search file, then the keys given as
// options (checked before any training).
RhythmStepSearch step_search(const CvArgs& a) {
  nlohmann::json j = a.search.empty() ? nlohmann::json::object() : read_json_file(a.search);
  if (!j.is_object()) throw InvalidArgument("cv --search: " + a.search + " is not a JSON object");
  for (const auto& p : rhythm_step_search_parameters()) {
    const auto it = a.search_flags.find(p.key);
    if (it == a.search_flags.end()) continue;
    const std::string type = p.type;
    if (type == "bool") j[p.key] = true;
    else if (type == "int") j[p.key] = std::stoll(it->second);  // CLI11 has checked the range
    else if (type == "number") j[p.key] = std::stod(it->second);
    else j[p.key] = it->second;
  }
  return rhythm_step_search_from_json(j, a.search.empty() ? std::string("cv") : "cv --search " + a.search);
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
    if (!a.rhythm_step.empty()) given_gate = read_rhythm_step_file(a.rhythm_step, "cv --rhythm-step");
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
    // The rhythm step, chosen on the decisions these class weights make.
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
      if (!given_gate) decision["rhythm_step"]["search"] = to_json(search);
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
    // the rhythm step chosen without it.
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
      std::printf("rhythm step (S where pre-RR < %g x the record's mean RR, 0: never; then no S where irregularity > %g and "
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

}  // namespace heartwave::cli
