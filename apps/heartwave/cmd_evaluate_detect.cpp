// heartwave evaluate --records DIR --detect: the whole chain from the raw
// signal (QRS detection, classification) scored by ANSI/AAMI EC57 rules.
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "model_options.hpp"
#include "progress.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/eval/ec57.hpp"
#include "heartwave/infer/detected_folder.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/sha256.hpp"
#include "heartwave/models/bundle.hpp"

namespace heartwave::cli {

namespace {

enum class Span { whole, learning, reference };

std::vector<Ec57Record> pick(const std::vector<DetectedRecord>& rs, Span span, bool skip_paced) {
  std::vector<Ec57Record> out;
  for (const auto& r : rs)
    if (!(skip_paced && r.paced))
      out.push_back(span == Span::whole ? r.whole : span == Span::learning ? r.learning : r.reference_learning);
  return out;
}

}  // namespace

int evaluate_detected(const EvaluateArgs& a) {
  const RecordFolderOptions options = record_folder_options(a);
  std::vector<std::string> unannotated;
  const std::vector<std::string> names = annotated_records(options, unannotated);
  if (!(a.window_s > 0) || !(a.learning_s >= 0)) throw InvalidArgument("evaluate --detect: the window must be positive and the learning period not negative");
  const AnalyzeOptions ao = analyze_options(a.detector, a.lead, a.argmax, a.no_rhythm_step);
  if (!a.rhythm_step.empty()) throw InvalidArgument("evaluate --detect: --rhythm-step is not supported here; the model's own is used");
  prepare_output_dir(a.out);
  const ModelBundle b = load_bundle(a.model, 1);
  const BeatPipeline pipe(b.meta, *b.model);
  Progress bar;
  std::vector<DetectedRecord> rs = analyze_and_score_folder(pipe, options, names, ao, a.window_s, a.learning_s, a.threads,
                                                            [&](std::size_t k, std::size_t n) { bar.update("records", k, n); });
  bar.finish();
  if (options.exclude_paced) std::erase_if(rs, [](const DetectedRecord& r) { return r.paced; });
  const std::filesystem::path out = a.out;
  std::filesystem::create_directories(out);
  for (const auto& r : rs) write_annotations(out / (r.name + ".hw"), r.annotations);
  const std::vector<Ec57Record> whole = pick(rs, Span::whole, false), learning = pick(rs, Span::learning, false);
  const std::vector<Ec57Record> whole_np = pick(rs, Span::whole, true), learning_np = pick(rs, Span::learning, true);
  const std::vector<Ec57Record> given = pick(rs, Span::reference, false);
  Ec57Options wo, lo;
  wo.window_s = lo.window_s = a.window_s;
  wo.start_s = 0;
  lo.start_s = a.learning_s;
  nlohmann::json j;
  j["build"] = build_info();
  j["records_dir"] = a.records;
  j["annotator"] = a.annotator;
  j["model"] = a.model;
  j["model_sha256"] = sha256_file(a.model);
  j["detector"] = ao.detector;
  j["whole_record"] = ec57_json(whole, wo);
  j["after_learning_period"] = ec57_json(learning, lo);
  j["reference_positions_after_learning_period"] = ec57_json(given, lo);
  if (whole_np.size() != whole.size()) {
    j["non_paced"]["whole_record"] = ec57_json(whole_np, wo);
    j["non_paced"]["after_learning_period"] = ec57_json(learning_np, lo);
  }
  double detect = 0, classify = 0;
  for (const auto& r : rs) detect += r.detect_seconds, classify += r.classify_seconds;
  j["seconds"] = {{"detect", detect}, {"classify", classify}};
  write_file_atomic(out / "ec57.json", j.dump(1) + "\n");
  write_file_atomic(out / "sumstats-whole-record.txt", ec57_sumstats(whole));
  write_file_atomic(out / "sumstats-after-learning.txt", ec57_sumstats(learning));
  write_file_atomic(out / "bxb-whole-record.L1", ec57_l1_table(whole));
  write_file_atomic(out / "bxb-whole-record.L2", ec57_l2_table(whole));
  write_file_atomic(out / "sumstats-reference-positions.txt", ec57_sumstats(given));
  std::fputs(ec57_sumstats(learning).c_str(), stdout);
  std::printf("\n%zu records, detector %s, model %s; detection %.2f s, classification %.2f s (all records, in process)\n", rs.size(),
              ao.detector.c_str(), a.model.c_str(), detect, classify);
  std::printf("whole record:           %s\n", ec57_gross_line(ec57_summarize(whole)).c_str());
  if (whole_np.size() != whole.size())
    std::printf("whole record, %zu non-paced: %s\n", whole_np.size(), ec57_gross_line(ec57_summarize(whole_np)).c_str());
  std::printf("after %g s learning:   %s\n", a.learning_s, ec57_gross_line(ec57_summarize(learning)).c_str());
  if (learning_np.size() != learning.size())
    std::printf("after learning, %zu non-paced: %s\n", learning_np.size(), ec57_gross_line(ec57_summarize(learning_np)).c_str());
  std::printf("the classifier at the reference beat positions, after learning: %s\n", ec57_gross_line(ec57_summarize(given)).c_str());
  std::printf("wrote %s (ec57.json, sumstats-*.txt, bxb-whole-record.L1/L2, <record>.hw)\n", a.out.c_str());
  return 0;
}

}  // namespace heartwave::cli
