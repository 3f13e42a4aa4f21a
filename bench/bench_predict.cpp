// Inference speed of a trained model on a dataset split: batch throughput
// (beats/s) and single-beat latency (median, p99), as a markdown table.
//   build/release/bench/bench_predict --model FILE --data DIR [--split test] [--threads N] [--db MITDB]
// First the model alone on the dataset's preprocessed rows; then, with --db
// (default: $HEARTWAVE_DATA or ../shared/data/mitdb), end to end from the raw
// signal of the split's records (already read into memory): filter,
// features, standardise, model, in batch per record (with the decision: class
// weights and the rhythm gate) and one beat at a time.
#include <algorithm>
#include <atomic>
#include <thread>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

#include "heartwave/data/reader.hpp"
#include "heartwave/infer/beat_pipeline.hpp"
#include "heartwave/beats/segment.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "host.hpp"

using namespace heartwave;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  std::string model, data, split = "test";
  std::string db = bench::default_database().string();
  int threads = 2;
  CLI::App app{"Inference speed of a trained model on a dataset split (markdown table)", "bench_predict"};
  app.add_option("--model", model, "Model file (.hwm)")->required();
  app.add_option("--data", data, "Dataset folder from `heartwave data build`")->required();
  app.add_option("--split", split, "Split to time");
  app.add_option("--threads", threads, "Threads")->check(CLI::PositiveNumber);
  app.add_option("--db", db, "MIT-BIH folder for the end-to-end rows");
  CLI11_PARSE(app, argc, argv);
  const ModelBundle b = load_bundle(model, threads);
  const Rows rows = load_evaluation_split(data, split, b.model->view());
  // Batch: the whole split at once, best of 5.
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = Clock::now();
    const auto p = b.model->predict_proba(rows.X, rows.n);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    if (p.size() != rows.n * 5) return 1;
  }
  // One beat at a time.
  const std::size_t singles = std::min<std::size_t>(rows.n, 2000);
  std::vector<double> lat;
  for (std::size_t i = 0; i < singles; ++i) {
    const auto t0 = Clock::now();
    const auto p = b.model->predict_proba({rows.X.data() + i * rows.dim, rows.dim}, 1);
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (p.size() != 5) return 1;
  }
  std::sort(lat.begin(), lat.end());
  std::printf("%s\n", heartwave::bench::host_line().c_str());
  std::printf("model %s (%s, best iteration %s), %s/%s, %zu rows x %zu, %d threads\n\n", model.c_str(),
              b.meta["family"].get<std::string>().c_str(), b.meta["training"]["best_iteration"].dump().c_str(),
              data.c_str(), split.c_str(), rows.n, rows.dim, threads);
  std::printf("| measure | value |\n|---|---|\n");
  std::printf("| batch predict (best of 5) | %.3f s, %.0f beats/s |\n", best, static_cast<double>(rows.n) / best);
  std::printf("| single beat, median | %.1f us |\n", lat[lat.size() / 2]);
  std::printf("| single beat, p99 | %.1f us |\n", lat[lat.size() * 99 / 100]);

  // End to end from raw signal, records in memory.
  struct Rec {
    std::string name;
    Recording rec;
    std::vector<Annotation> anns;
  };
  std::vector<Rec> recs;
  const nlohmann::json manifest = read_manifest(data);
  for (const auto& r : manifest["splits"][split]["records"]) {
    const std::string name = r.get<std::string>();
    recs.push_back({name, to_recording(read_record(std::filesystem::path(db) / name)),
                    read_annotations(std::filesystem::path(db) / (name + ".atr"))});
  }
  const BeatPipeline pipe(b.meta, *b.model);
  double e2e = 1e30;
  std::size_t beats = 0;
  for (int rep = 0; rep < 3; ++rep) {
    beats = 0;
    const auto t0 = Clock::now();
    for (const auto& r : recs) beats += pipe.decide(pipe.classify_record(r.rec, r.anns)).size();
    e2e = std::min(e2e, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  // The same with the records shared out over `threads` threads.
  double e2e_par = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    std::atomic<std::size_t> next{0};
    const auto t0 = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        for (std::size_t i; (i = next++) < recs.size();)
          pipe.decide(pipe.classify_record(recs[i].rec, recs[i].anns));
      });
    for (auto& th : pool) th.join();
    e2e_par = std::min(e2e_par, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  // One beat: raw window, RR features from the beat times so far, the
  // record's dominant beat kept from earlier beats.
  std::vector<double> one;
  const int before = pipe.preprocessing().window.before, after = pipe.preprocessing().window.after;
  for (const auto& r : recs) {
    const auto& pre = pipe.preprocessing();
    const auto& sig = r.rec.samples[pre.choose_lead(r.rec.leads, r.rec.name)];
    const auto& sig2 = r.rec.samples[pre.second_lead ? pre.choose_second_lead(r.rec.leads, r.rec.name) : 0];
    const auto res = pipe.classify_record(r.rec, r.anns);
    const auto tmpl = median_template(res.beats.windows, static_cast<std::size_t>(before + after));
    const auto tmpl2 = pre.second_lead ? median_template(res.beats.windows2, static_cast<std::size_t>(before + after)) : std::vector<float>();
    const auto times = beat_times(r.anns);
    for (std::size_t i = 0; i < res.beats.beats.size() && i < 200; ++i) {
      const std::int64_t R = res.beats.beats[i].r_sample;
      const std::vector<double> raw(sig.begin() + R - before, sig.begin() + R + after);
      std::vector<double> raw2;
      if (pre.second_lead) raw2.assign(sig2.begin() + R - before, sig2.begin() + R + after);
      const std::int64_t at[] = {R};
      const auto t0 = Clock::now();
      const auto rr = rr_features(times, at, r.rec.fs);
      const auto p = pipe.classify_beat(raw, rr[0], tmpl, raw2, tmpl2);
      one.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (!(p[0] >= 0)) return 1;
    }
  }
  std::sort(one.begin(), one.end());
  std::printf("| end to end from raw signal, batch per record, with the decision (best of 3) | %.3f s, %.0f beats/s (%zu beats, %zu records) |\n", e2e,
              static_cast<double>(beats) / e2e, beats, recs.size());
  std::printf("| end to end, records spread over %d threads (best of 3) | %.3f s, %.0f beats/s |\n", threads, e2e_par,
              static_cast<double>(beats) / e2e_par);
  std::printf("| end to end, one beat (RR, filter, features, standardise, model), median | %.1f us |\n", one[one.size() / 2]);
  std::printf("| end to end, one beat, p99 | %.1f us |\n", one[one.size() * 99 / 100]);
  return 0;
}
