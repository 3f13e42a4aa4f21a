// heartwave predict: per-beat classes and probabilities of a dataset split, a record or a CSV of beats.
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

void register_predict(CLI::App& app, PredictArgs& p, int& status) {
  CLI::App* pr = app.add_subcommand("predict", "Write per-beat classes and probabilities (CSV) for a dataset split, a record or a CSV of beats");
  add_model_data_options(pr, p, "CSV file to write ('-' for stdout)", false);
  pr->add_option("--record", p.record, "Instead of --data: a WFDB record (path without extension); beats at its annotations");
  pr->add_option("--annotator", p.annotator, "Annotation file extension for --record")->capture_default_str();
  pr->add_option("--beats", p.beats, "Instead of --data: a CSV of beats from one recording, each line r_sample then the raw window (two-lead models: then the second lead's window); lines of windows alone (no r_sample) are independent beats, for models that read only the beat (models/window-only.hwm)");
  pr->callback([&] { status = run_predict(p); });
}

namespace {

void write_predictions(const std::string& out_path, const std::string& out) {
  if (out_path == "-") std::fputs(out.c_str(), stdout);
  else write_file_atomic(out_path, out);
}

// Raw ECG in (a WFDB record with its beat annotations, or a CSV of beats),
// through the preprocessing recorded in the model.
int predict_raw(const PredictArgs& a, const DecisionChoice& choice) {
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
  const auto pred = pipe.decide(res, !a.argmax, chosen_rhythm_step(choice, pipe.rhythm_step()));
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

int run_predict(const PredictArgs& a) {
  return guarded([&] {
    const int sources = !a.data.empty() + !a.record.empty() + !a.beats.empty();
    if (sources != 1) throw InvalidArgument("predict: give exactly one of --data, --record and --beats");
    const DecisionChoice choice = decision_choice(a);  // before any output
    if (a.out != "-") prepare_output_file(a.out);
    if (a.data.empty()) return predict_raw(a, choice);
    const AppliedSplit r = apply_to_split(a.model, a.data, a.split, a.threads, choice);
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
