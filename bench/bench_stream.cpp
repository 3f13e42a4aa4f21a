// Streaming analysis (stream/stream_analyzer.hpp) against the batch path, as
// markdown tables:
//   1. per MIT-BIH record, fed in random block sizes (1..--max-block
//      samples, seeded): agreement of the final beats with `analyze`'s
//      (% of the batch beats with the same final class, beats missing or
//      extra, max |dR|), provisional latency (R to emission, signal time:
//      median, p99, max, and the count beyond 1 s), final latency (max), and
//      the throughput of one stream on one core (x real time);
//   2. many streams at once: --streams analyzers interleaved round-robin on
//      one thread, each fed --stream-seconds of a record in 0.1-s blocks:
//      the aggregate x real time, i.e. how many real-time 360-Hz 2-lead
//      streams one core sustains.
//   build/release/bench/bench_stream [--records 100,119] [--streams 1000] [--stream-seconds 120]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "heartwave/core/version.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/infer/analyze.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/stream/stream_analyzer.hpp"

using namespace heartwave;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The source tree: HEARTWAVE_SOURCE_DIR when the build defines it, else
// three folders above this executable (build/<dir>/bench/bench_stream).
std::filesystem::path source_dir() {
#ifdef HEARTWAVE_SOURCE_DIR
  return HEARTWAVE_SOURCE_DIR;
#else
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path().parent_path().parent_path().parent_path();
#endif
}

std::string host_line() {
  std::string cpu = "unknown CPU";
  if (FILE* f = std::fopen("/proc/cpuinfo", "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, f))
      if (std::string s(line); s.rfind("model name", 0) == 0) {
        cpu = s.substr(s.find(':') + 2);
        cpu.erase(cpu.find_last_not_of("\n") + 1);
        break;
      }
    std::fclose(f);
  }
  return "host: " + cpu + "; heartwave " + version_string();
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// The recording's leads interleaved, primary lead first as the file has it.
std::vector<double> interleave(const Recording& r) {
  const std::size_t n = r.num_samples(), L = r.samples.size();
  std::vector<double> out(n * L);
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t l = 0; l < L; ++l) out[t * L + l] = r.samples[l][t];
  return out;
}

struct RecordFigures {
  std::string record;
  std::size_t batch_beats = 0, same = 0, missing = 0, extra = 0;
  std::int64_t max_dr = 0;
  std::vector<double> prov_latency;  // seconds
  double final_latency_max = 0;
  std::int64_t late = 0;
  double seconds = 0, wall = 0;
  std::size_t memory_max = 0;
  std::map<std::string, int> confusion;  // "batch>stream" for differing beats
};

RecordFigures run_record(const std::string& name, const Recording& rec, const BeatPipeline& pipe, std::uint64_t seed, int max_block,
                         double final_delay, bool no_step = false, const std::string& oracle = "") {
  RecordFigures f;
  f.record = name;
  AnalyzeOptions ao;
  ao.use_rhythm_step = !no_step;
  const Analysis batch = analyze_recording(rec, pipe, ao);
  StreamOptions so;
  so.use_rhythm_step = !no_step;
  if (!oracle.empty()) {
    // The batch path's whole-record context, for telling the terms apart.
    std::vector<Annotation> anns;
    for (const auto& b : batch.beats) anns.push_back({b.sample, 1, 0, 0, 0, ""});
    const auto res = pipe.classify_record(rec, anns);
    const std::size_t W = static_cast<std::size_t>(pipe.preprocessing().window.length());
    if (oracle.find("mean") != std::string::npos && batch.beats.size() >= 2)
      so.fixed_mean_rr_s = static_cast<double>(batch.beats.back().sample - batch.beats.front().sample) / rec.fs /
                           static_cast<double>(batch.beats.size() - 1);
    if (oracle.find("template") != std::string::npos) {
      so.fixed_dominant = median_template(res.beats.windows, W);
      if (!res.beats.windows2.empty()) so.fixed_dominant2 = median_template(res.beats.windows2, W);
    }
  }
  so.lead_names = rec.leads;
  so.final_delay_s = final_delay;
  const std::vector<double> x = interleave(rec);
  const std::size_t L = rec.samples.size();
  std::vector<StreamBeat> finals;
  std::vector<StreamBeat> provs;
  std::size_t memory_max = 0;
  const auto t0 = Clock::now();
  StreamAnalyzer s(pipe, rec.fs, static_cast<int>(L), so);
  s.set_callback([&](const StreamBeat& b) { (b.stage == BeatStage::final ? finals : provs).push_back(b); });
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> block(1, max_block);
  for (std::size_t at = 0; at < rec.num_samples();) {
    const std::size_t m = std::min<std::size_t>(static_cast<std::size_t>(block(rng)), rec.num_samples() - at);
    s.push(std::span<const double>(x.data() + at * L, m * L));
    at += m;
    memory_max = std::max(memory_max, s.memory_bytes());
  }
  s.finish();
  f.wall = since(t0);
  f.seconds = static_cast<double>(rec.num_samples()) / rec.fs;
  f.memory_max = memory_max;
  f.late = s.counts().late;
  for (const auto& p : provs) f.prov_latency.push_back(static_cast<double>(p.emitted_at - p.sample) / rec.fs);
  for (const auto& b : finals) f.final_latency_max = std::max(f.final_latency_max, static_cast<double>(b.emitted_at - b.sample) / rec.fs);
  // Match by R position (within one sample).
  f.batch_beats = batch.beats.size();
  std::size_t j = 0;
  std::set<std::size_t> used;
  for (const auto& b : batch.beats) {
    while (j < finals.size() && finals[j].sample < b.sample - 1) {
      if (!used.count(j)) ++f.extra;
      ++j;
    }
    if (j < finals.size() && std::llabs(finals[j].sample - b.sample) <= 1) {
      used.insert(j);
      f.max_dr = std::max<std::int64_t>(f.max_dr, std::llabs(finals[j].sample - b.sample));
      if (finals[j].cls == b.cls) ++f.same;
      else ++f.confusion[std::string(class_name(b.cls)) + ">" + std::string(class_name(finals[j].cls))];
      ++j;
    } else {
      ++f.missing;
    }
  }
  for (; j < finals.size(); ++j)
    if (!used.count(j)) ++f.extra;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  const auto src = source_dir();
  std::string model = (src / "models" / "default.hwm").string();
  std::string db;
  if (const char* env = std::getenv("HEARTWAVE_DATA"); env && *env) db = env;
  else db = (src / ".." / "shared" / "data" / "mitdb").string();
  std::vector<std::string> records;
  std::uint64_t seed = 1;
  int max_block = 10000, streams = 1000;
  double stream_seconds = 120, final_delay = 60;
  bool skip_records = false, no_step = false;
  double truncate_s = 0;
  std::string oracle;
  CLI::App app{"Streaming analysis against batch analyze, latency and throughput (markdown tables)", "bench_stream"};
  app.add_option("--model", model, "Model file");
  app.add_option("--db", db, "MIT-BIH folder");
  app.add_option("--records", records, "Records (default: every record of --db)")->delimiter(',');
  app.add_option("--seed", seed, "Seed of the random block sizes");
  app.add_option("--max-block", max_block, "Largest block, samples")->check(CLI::Range(1, 1 << 24));
  app.add_option("--final-delay", final_delay, "Final delay, seconds");
  app.add_option("--streams", streams, "Streams interleaved on one thread (0: skip)")->check(CLI::Range(0, 100000));
  app.add_option("--stream-seconds", stream_seconds, "Signal fed to each of them, seconds");
  app.add_flag("--no-records", skip_records, "Skip the per-record table");
  app.add_option("--oracle", oracle, "Diagnostics: give the stream the batch path's whole-record context: mean, template or both (mean,template)");
  app.add_option("--seconds", truncate_s, "Only the first seconds of each record (0: all)");
  app.add_flag("--no-rhythm-step", no_step, "Both paths without the rhythm step (to tell its share of the differences)");
  CLI11_PARSE(app, argc, argv);

  const ModelBundle bundle = load_bundle(model, 1);
  const BeatPipeline pipe(bundle.meta, *bundle.model);
  if (records.empty()) {
    std::set<std::string> found;
    for (const auto& e : std::filesystem::directory_iterator(db))
      if (e.path().extension() == ".hea") found.insert(e.path().stem().string());
    records.assign(found.begin(), found.end());
  }
  std::printf("%s\n\n", host_line().c_str());

  std::vector<Recording> recs;
  for (const auto& r : records) {
    recs.push_back(to_recording(read_record(std::filesystem::path(db) / r)));
    if (truncate_s > 0)
      for (auto& l : recs.back().samples) l.resize(std::min(l.size(), static_cast<std::size_t>(truncate_s * recs.back().fs)));
  }

  if (!skip_records) {
    std::printf("Per record: random blocks of 1..%d samples (seed %llu), final delay %g s.\n\n", max_block,
                static_cast<unsigned long long>(seed), final_delay);
    std::printf("| record | beats | same final class | missing / extra | max dR | provisional latency median / p99 / max (s) | beyond 1 s | "
                "final latency max (s) | x real time | memory max (KiB) | differing (batch>stream) |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    std::size_t all = 0, same = 0, late = 0, provs = 0;
    double seconds = 0, wall = 0, worst = 100;
    std::string worst_record;
    std::vector<double> lat_all;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const RecordFigures f = run_record(records[i], recs[i], pipe, seed + i, max_block, final_delay, no_step, oracle);
      const double pct = f.batch_beats ? 100.0 * static_cast<double>(f.same) / static_cast<double>(f.batch_beats) : 100.0;
      std::string diff;
      for (const auto& [k, v] : f.confusion) diff += (diff.empty() ? "" : ", ") + k + " " + std::to_string(v);
      std::printf("| %s | %zu | %.2f%% | %zu / %zu | %lld | %.2f / %.2f / %.2f | %lld | %.2f | %.0f | %zu | %s |\n", f.record.c_str(),
                  f.batch_beats, pct, f.missing, f.extra, static_cast<long long>(f.max_dr), quantile(f.prov_latency, 0.5),
                  quantile(f.prov_latency, 0.99), quantile(f.prov_latency, 1.0), static_cast<long long>(f.late), f.final_latency_max,
                  f.seconds / f.wall, f.memory_max / 1024, diff.c_str());
      std::fflush(stdout);
      all += f.batch_beats;
      same += f.same;
      late += static_cast<std::size_t>(f.late);
      provs += f.prov_latency.size();
      seconds += f.seconds;
      wall += f.wall;
      lat_all.insert(lat_all.end(), f.prov_latency.begin(), f.prov_latency.end());
      if (pct < worst) worst = pct, worst_record = f.record;
    }
    std::printf("| **all %zu** | %zu | **%.3f%%** (worst %s %.2f%%) | | | %.2f / %.2f / %.2f | %zu of %zu | | **%.0f** | | |\n\n", recs.size(), all,
                100.0 * static_cast<double>(same) / static_cast<double>(std::max<std::size_t>(all, 1)), worst_record.c_str(), worst,
                quantile(lat_all, 0.5), quantile(lat_all, 0.99), quantile(lat_all, 1.0), late, provs, seconds / wall);
  }

  if (streams > 0 && !recs.empty()) {
    // Each stream reads its own record from its own offset, in 36-sample (0.1 s) blocks, round robin.
    const std::size_t block = 36;
    struct Feed {
      const Recording* rec;
      std::vector<double> x;  // interleaved, stream_seconds long
    };
    const auto n = static_cast<std::size_t>(std::llround(stream_seconds * 360));
    std::vector<std::vector<double>> feeds;
    for (std::size_t k = 0; k < recs.size(); ++k) {
      const Recording& r = recs[k];
      const std::size_t L = r.samples.size();
      std::vector<double> x(n * 2);
      for (std::size_t t = 0; t < n; ++t)
        for (std::size_t l = 0; l < 2; ++l) x[t * 2 + l] = r.samples[std::min(l, L - 1)][(t + 1000 * k) % r.num_samples()];
      feeds.push_back(std::move(x));
    }
    std::vector<std::unique_ptr<StreamAnalyzer>> an;
    std::size_t events = 0;
    for (int i = 0; i < streams; ++i) {
      StreamOptions so;
      so.lead_names = recs[static_cast<std::size_t>(i) % recs.size()].leads;
      if (so.lead_names.size() != 2) so.lead_names = {"MLII", "V1"};
      an.push_back(std::make_unique<StreamAnalyzer>(pipe, 360.0, 2, so));
      an.back()->set_callback([&](const StreamBeat&) { ++events; });
    }
    std::size_t memory = 0;
    const auto t0 = Clock::now();
    for (std::size_t at = 0; at < n; at += block) {
      const std::size_t m = std::min(block, n - at);
      for (int i = 0; i < streams; ++i) {
        const auto& x = feeds[static_cast<std::size_t>(i) % feeds.size()];
        an[static_cast<std::size_t>(i)]->push(std::span<const double>(x.data() + at * 2, m * 2));
      }
    }
    for (auto& a : an) a->finish();
    const double wall = since(t0);
    for (auto& a : an) memory += a->memory_bytes();
    const double total = static_cast<double>(streams) * stream_seconds;
    std::printf("Many streams: %d analyzers round robin on one thread, %g s of 2-lead 360-Hz signal each, 0.1-s blocks.\n\n", streams,
                stream_seconds);
    std::printf("| what | figure |\n|---|---|\n");
    std::printf("| wall time | %.2f s for %.0f s of signal (%zu events) |\n", wall, total, events);
    std::printf("| aggregate x real time = real-time streams one core sustains | **%.0f** |\n", total / wall);
    std::printf("| memory of all analyzers (memory_bytes, after finish) | %.1f MiB (%.0f KiB each) |\n", static_cast<double>(memory) / 1048576.0,
                static_cast<double>(memory) / 1024.0 / streams);
  }
  return 0;
}
