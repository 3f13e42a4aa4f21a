#include "heartwave/infer/record_folder.hpp"

#include <algorithm>
#include <set>

#include "heartwave/beats/label_sets.hpp"
#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/infer/predictions_csv.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/io/wfdb_record.hpp"

namespace heartwave {

std::vector<std::string> annotated_records(const RecordFolderOptions& a, std::vector<std::string>& unannotated) {
  const std::filesystem::path dir = a.dir;
  if (!std::filesystem::is_directory(dir)) throw IoError(dir.string() + ": records folder not found");
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
      throw InvalidArgument("evaluate --only: no record '" + n + "' with a header and ." + a.annotator + " annotations in " + a.dir.string());
  if (names.empty())
    throw InvalidArgument(a.dir.string() + ": no record with a header (.hea) and reference annotations (." + a.annotator + ") to evaluate");
  return names;
}

RecordFolderResult classify_record_folder(const BeatPipeline& pipe, const RecordFolderOptions& options, std::vector<std::string> names,
                                          std::vector<std::string> unannotated, bool argmax, const RhythmStep& step,
                                          const std::function<void(std::size_t, std::size_t)>& progress,
                                          const std::function<void(const std::string&, std::size_t)>& check_leads) {
  RecordFolderResult r;
  r.names = std::move(names);
  r.unannotated = std::move(unannotated);
  r.predictions_csv = kPredictionHeader;
  const Preprocessing& pre = pipe.preprocessing();
  for (std::size_t k = 0; k < r.names.size(); ++k) {
    if (progress) progress(k, r.names.size());
    const std::string path = (options.dir / r.names[k]).string();
    const auto anns = read_annotations(path + "." + options.annotator);
    if (options.exclude_paced && std::any_of(anns.begin(), anns.end(), [](const Annotation& x) {
          const auto m = annotation_mnemonic(x.code);
          return m == "/" || m == "f";
        })) {
      r.paced.push_back(r.names[k]);
      continue;
    }
    const Recording rec = to_recording(read_record(path));
    if (check_leads) check_leads(path, rec.leads.size());
    for (const auto& ann : anns)  // beats whose type the label set has no class for: not scored, but counted
      if (is_beat_code(ann.code) && !class_of(pipe.label_set(), ann.code)) ++r.unscored[std::string(annotation_mnemonic(ann.code))];
    const auto res = pipe.classify_record(rec, anns);
    const auto p = pipe.decide(res, !argmax, step);
    std::size_t errors = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const auto& beat = res.beats.beats[i];
      r.truth.push_back(beat.label);
      r.pred.push_back(p[i]);
      r.record.push_back(static_cast<std::int32_t>(k));
      r.r_sample.push_back(beat.r_sample);
      errors += beat.label != p[i];
      append_prediction(r.predictions_csv, r.names[k], beat.r_sample, class_name(beat.label), p[i], res.proba.data() + i * 5);
    }
    nlohmann::json leads = {rec.leads[pre.choose_lead(rec.leads, r.names[k])]};
    if (pre.second_lead) leads.push_back(rec.leads[pre.choose_second_lead(rec.leads, r.names[k])]);
    r.per_record.push_back({{"record", r.names[k]}, {"fs", rec.fs}, {"leads", leads}, {"beats", p.size()}, {"errors", errors}});
  }
  return r;
}

}  // namespace heartwave
