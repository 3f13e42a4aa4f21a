#include "heartwave/infer/detected_folder.hpp"

#include <atomic>
#include <exception>
#include <mutex>

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/parallel.hpp"
#include "heartwave/io/wfdb_record.hpp"

namespace heartwave {

std::vector<DetectedRecord> analyze_and_score_folder(const BeatPipeline& pipe, const RecordFolderOptions& options,
                                                     const std::vector<std::string>& names, const AnalyzeOptions& analyze,
                                                     double window_s, double learning_s, int threads,
                                                     const std::function<void(std::size_t, std::size_t)>& progress) {
  std::vector<DetectedRecord> out(names.size());
  std::vector<std::exception_ptr> errors(names.size());
  std::atomic<std::size_t> done{0};
  std::mutex lock;
  // Every record is tried; the first failing one (in name order) is reported.
  parallel_for(names.size(), threads, [&](std::size_t i) {
    try {
      const auto path = options.dir / names[i];
      const Recording rec = to_recording(read_record(path));
      const Analysis a = analyze_recording(rec, pipe, analyze);
      DetectedRecord& d = out[i];
      d.name = names[i];
      d.annotations = analysis_annotations(a);
      d.detect_seconds = a.detect_seconds;
      d.classify_seconds = a.classify_seconds;
      const std::vector<Annotation> ref = read_annotations(path.string() + "." + options.annotator);
      for (const Annotation& r : ref) d.paced = d.paced || r.code == 12 || r.code == 38;  // PACE, PFUS
      Ec57Options o;
      o.window_s = window_s;
      o.start_s = 0;
      d.whole = ec57_compare(ref, d.annotations, rec.fs, a.num_samples, o, names[i]);
      o.start_s = learning_s;
      d.learning = ec57_compare(ref, d.annotations, rec.fs, a.num_samples, o, names[i]);
      // The classifier alone: the same path at the reference beat positions.
      std::vector<std::int64_t> at;
      for (const Annotation& r : ref)
        if (is_beat_code(r.code) && r.time >= 0 && r.time < a.num_samples && (at.empty() || r.time > at.back())) at.push_back(r.time);
      const Analysis given = classify_positions(rec, pipe, at, analyze);
      d.reference_learning = ec57_compare(ref, analysis_annotations(given), rec.fs, a.num_samples, o, names[i]);
    } catch (...) {
      errors[i] = std::current_exception();
    }
    const std::size_t k = ++done;
    if (progress) {
      std::lock_guard<std::mutex> g(lock);
      progress(k, names.size());
    }
  });
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

}  // namespace heartwave
