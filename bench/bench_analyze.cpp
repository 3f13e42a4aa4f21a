// Speed of finding and classifying beats in raw recordings, as a markdown
// table:
//   1. the QRS detector alone on every MIT-BIH record held in memory
//      (million samples per second on one core, best of 3);
//   2. one 30-minute 2-lead record end to end in process (read the files,
//      detect, segment, filter, features, classify with the model, write the
//      annotation file), median of 5, one thread;
//   3. a synthetic 24-hour 2-lead recording at 250 Hz, detected and
//      classified, with the process's peak memory before and after.
//   build/release/bench/bench_analyze [--model FILE] [--db MITDB] [--record 100] [--hours 24]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "heartwave/detect/qrs.hpp"
#include "heartwave/dsp/synthetic.hpp"
#include "heartwave/holter/episodes.hpp"
#include "heartwave/holter/summary.hpp"
#include "heartwave/holter/summary_html.hpp"
#include "heartwave/infer/analyze.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/recording_file.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "heartwave/models/bundle.hpp"
#include "host.hpp"

using namespace heartwave;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = std::string(HEARTWAVE_SOURCE_DIR) + "/models/default.hwm";
  std::string db = bench::default_database().string();
  std::string record = "100";
  double hours = 24;
  CLI::App app{"Speed of QRS detection and whole-recording analysis (markdown table)", "bench_analyze"};
  app.add_option("--model", model, "Model file");
  app.add_option("--db", db, "MIT-BIH folder");
  app.add_option("--record", record, "The record timed end to end");
  app.add_option("--hours", hours, "Length of the synthetic recording");
  CLI11_PARSE(app, argc, argv);
  std::printf("%s\n\n", bench::host_line().c_str());
  std::printf("| what | figure |\n|---|---|\n");

  // 1. The detector alone.
  std::vector<std::vector<double>> leads;
  std::vector<double> rates;
  std::size_t samples = 0;
  for (const auto& e : std::filesystem::directory_iterator(db)) {
    if (e.path().extension() != ".hea") continue;
    const Recording r = to_recording(read_record(e.path().parent_path() / e.path().stem()));
    leads.push_back(r.samples[analysis_lead(r, "", "MLII")]);
    rates.push_back(r.fs);
    samples += leads.back().size();
  }
  double best = 1e30;
  std::size_t beats = 0;
  for (int round = 0; round < 3; ++round) {
    beats = 0;
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < leads.size(); ++i) beats += detect_qrs(leads[i], rates[i]).size();
    best = std::min(best, since(t0));
  }
  std::printf("| QRS detector alone, %zu records, %.1f M samples, one core | %.3f s, **%.1f M samples/s**, %zu beats |\n", leads.size(),
              static_cast<double>(samples) / 1e6, best, static_cast<double>(samples) / best / 1e6, beats);

  // 2. One record end to end, in process (the model loaded once, as a service would).
  const auto tl = Clock::now();
  const ModelBundle b = load_bundle(model, 1);
  const BeatPipeline pipe(b.meta, *b.model);
  const double load = since(tl);
  const auto tmp = std::filesystem::temp_directory_path() / "heartwave-bench-analyze";
  std::filesystem::create_directories(tmp);
  std::vector<double> runs;
  Analysis last;
  for (int round = 0; round < 5; ++round) {
    const auto t0 = Clock::now();
    const Recording rec = read_recording_file(std::filesystem::path(db) / record, {});
    last = analyze_recording(rec, pipe, {});
    write_annotations(tmp / (record + ".hw"), analysis_annotations(last));
    runs.push_back(since(t0));
  }
  std::sort(runs.begin(), runs.end());
  std::printf("| record %s end to end in process (read, detect, classify, write; %zu beats), one thread | **%.1f ms** (detect %.1f ms, "
              "classify %.1f ms) |\n",
              record.c_str(), last.beats.size(), 1000 * runs[2], 1000 * last.detect_seconds, 1000 * last.classify_seconds);
  std::printf("| loading the model (once per process) | %.1f ms |\n", 1000 * load);

  // 2b. The Holter summary on top: episodes, summary.json, summary.html
  // (with its strips) and the rhythm annotations, timed alone and against
  // the analysis it adds to.
  {
    const Recording rec = read_recording_file(std::filesystem::path(db) / record, {});
    std::vector<double> extra;
    std::size_t html_bytes = 0;
    for (int round = 0; round < 5; ++round) {
      const auto t0 = Clock::now();
      std::vector<Episode> episodes;
      const nlohmann::json summary = holter_summary(last, rec.samples[0], {{"file", model}}, "", {}, &episodes);
      std::vector<std::int64_t> r;
      for (const auto& beat : last.beats) r.push_back(beat.sample);
      write_annotations(tmp / (record + ".hw"), merge_annotations(analysis_annotations(last), rhythm_annotations(episodes, r)));
      write_file_atomic(tmp / "summary.json", summary.dump(1));
      const std::string html = summary_html(summary, rec.samples[0], rec.fs);
      write_file_atomic(tmp / "summary.html", html);
      html_bytes = html.size();
      extra.push_back(since(t0));
    }
    std::sort(extra.begin(), extra.end());
    std::printf("| record %s: the Holter summary (episodes, summary.json, summary.html of %.0f kB, rhythm annotations) | **%.1f ms**, "
                "**%.1f%%** of the analysis above |\n",
                record.c_str(), static_cast<double>(html_bytes) / 1e3, 1000 * extra[2], 100 * extra[2] / runs[2]);
  }

  // 3. A long synthetic recording.
  const double before = peak_rss_mb();
  SyntheticOptions o;
  o.fs = 250;
  o.seconds = hours * 3600;
  o.leads = 2;
  o.pvc_fraction = 0.05;
  Recording rec;
  {
    SyntheticEcg ecg = synthetic_ecg(o);
    rec.name = "synthetic";
    rec.fs = o.fs;
    rec.leads = {"MLII", "V1"};
    rec.units = {"mV", "mV"};
    rec.samples = std::move(ecg.leads);
  }
  const double signal_mb = peak_rss_mb();
  const auto t0 = Clock::now();
  const Analysis a = analyze_recording(rec, pipe, {});
  const double took = since(t0);
  std::printf("| synthetic %.0f h 2-lead recording at 250 Hz (%.1f M samples per lead, %zu beats), one thread | **%.2f s** (detect %.2f s, "
              "classify %.2f s) |\n",
              hours, static_cast<double>(rec.num_samples()) / 1e6, a.beats.size(), took, a.detect_seconds, a.classify_seconds);
  std::printf("| peak memory: before the recording / with it / after analysing it | %.0f / %.0f / %.0f MB |\n", before, signal_mb, peak_rss_mb());
  {
    const auto t1 = Clock::now();
    const nlohmann::json summary = holter_summary(a, rec.samples[0], {}, "");
    const std::string html = summary_html(summary, rec.samples[0], rec.fs);
    const double sum_s = since(t1);
    std::printf("| the same: its Holter summary and page (%.0f kB) | %.3f s, %.1f%% of the analysis |\n", static_cast<double>(html.size()) / 1e3,
                sum_s, 100 * sum_s / took);
  }
  std::filesystem::remove_all(tmp);
  return 0;
}
