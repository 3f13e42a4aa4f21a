// heartwave stream: raw samples in, classified beats out as JSON lines as
// they happen (stream/stream_analyzer.hpp): a provisional event within 1 s
// of each beat, a final one within --final-delay, rhythm episodes as they
// close, then an "end" line.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "heartwave/beats/label_sets.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/detect/qrs.hpp"
#include "heartwave/io/recording_file.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/stream/stream_analyzer.hpp"

namespace heartwave::cli {

void register_stream(CLI::App& app, StreamArgs& a, int& status) {
  CLI::App* st = app.add_subcommand(
      "stream",
      "Classify beats as samples arrive (standard input, or --input fed in blocks): JSON lines, a provisional event within 1 s of "
      "each beat and a final one within --final-delay");
  st->add_option("--input", a.input,
                 "A recording (WFDB record path, .edf/.bdf/.gdf, .csv with --fs) fed in blocks; without it, samples are read from "
                 "standard input");
  st->add_option("--model", a.model, "Model file")->capture_default_str();
  st->add_option("--format", a.format, "Standard input: i16 (interleaved little-endian int16 ADC units) or f32 (interleaved float32 mV)")
      ->check(CLI::IsMember({"i16", "f32"}))
      ->capture_default_str();
  st->add_option("--adc-gain", a.adc_gain, "ADC units per mV of --format i16")->capture_default_str();
  st->add_option("--fs", a.fs, "Sampling rate in Hz (required for standard input and CSV)");
  st->add_option("--leads", a.leads, "Leads interleaved on standard input")->capture_default_str()->check(CLI::Range(1, 64));
  st->add_option("--lead-names", a.lead_names, "Names of the standard input's leads, e.g. MLII,V5")->delimiter(',');
  st->add_option("--lead", a.lead, "Lead to analyse, by name (default: the model's lead MLII, else II, else the first)");
  st->add_option("--detector", a.detector, "QRS detector (default " + std::string(kDefaultQrsDetector) + ")");
  st->add_option("--block", a.block, "--input: samples per block fed to the analyzer")->capture_default_str()->check(CLI::Range(1, 1 << 24));
  st->add_flag("--random-blocks", a.random_blocks, "--input: random block sizes of 1 to 10,000 samples (--seed)");
  st->add_option("--seed", a.seed, "Seed of --random-blocks")->capture_default_str();
  st->add_flag("--final-only", a.final_only, "Write only the final events");
  st->add_option("--final-delay", a.final_delay, "Seconds from a beat to its final event (at most 600)")->capture_default_str();
  st->add_flag("--argmax", a.argmax, "Ignore the model's class weights (plain argmax)");
  st->add_flag("--no-rhythm-step", a.no_rhythm_step, "Ignore the model's rhythm step");
  st->add_flag("--no-episodes", a.no_episodes, "Do not write rhythm episodes (runs, bigeminy, pauses, AF) as they close");
  add_episode_options(st, a.episodes);
  st->callback([&] { status = run_stream(a); });
}

namespace {

// Writes each event as a JSON line.
class LineWriter {
 public:
  explicit LineWriter(double fs) : fs_(fs) {}
  void beat(const StreamBeat& b) {
    nlohmann::json j = {{"type", "beat"},
                        {"stage", stage_name(b.stage)},
                        {"sample", b.sample},
                        {"time", static_cast<double>(b.sample) / fs_},
                        {"class", std::string(class_name(b.cls))}};
    j["proba"] = b.classified ? nlohmann::json(std::vector<float>(b.proba.begin(), b.proba.end())) : nlohmann::json(nullptr);
    j["emitted_at"] = b.emitted_at;
    if (b.stage == BeatStage::provisional) j["late"] = b.late;
    else j["af"] = b.af;
    line(j);
  }
  void episode(const StreamEpisode& se) {
    const Episode& e = se.episode;
    line({{"type", "episode"},
          {"episode", episode_type_name(e.type)},
          {"start", e.begin},
          {"end", e.end},
          {"start_time", static_cast<double>(e.begin) / fs_},
          {"duration_s", e.duration_s(fs_)},
          {"first_beat", e.first_beat},
          {"last_beat", e.last_beat},
          {"beats", e.beats},
          {"rate_bpm", e.rate_bpm},
          {"emitted_at", se.emitted_at}});
  }
  void line(const nlohmann::json& j) {
    const std::string s = j.dump() + "\n";
    std::fwrite(s.data(), 1, s.size(), stdout);
  }

 private:
  double fs_;
};

nlohmann::json end_line(const StreamAnalyzer& s, const std::string& source) {
  const StreamCounts& c = s.counts();
  nlohmann::json counts = nlohmann::json::object();
  for (int k = 0; k < 5; ++k) counts[std::string(class_name(k))] = c.final_classes[static_cast<std::size_t>(k)];
  const nlohmann::json b = build_info();
  return {{"type", "end"},
          {"source", source},
          {"samples", c.samples},
          {"seconds", static_cast<double>(c.samples) / s.fs()},
          {"beats", c.beats},
          {"provisional", c.provisional},
          {"final", c.final},
          {"late", c.late},
          {"episodes", c.episodes},
          {"final_delay", static_cast<double>(s.final_delay_samples()) / s.fs()},
          {"counts", counts},
          {"build", {{"version", b.value("version", "")}, {"commit", b.value("git_commit", "")}, {"dirty", b.value("git_dirty", false)}}}};
}

// Samples from standard input, as they come: interleaved i16 or f32 frames.
void stream_stdin(const StreamArgs& a, StreamAnalyzer& s) {
  const bool i16 = a.format == "i16";
  const std::size_t width = i16 ? 2 : 4, L = static_cast<std::size_t>(a.leads);
  const std::size_t frame_bytes = width * L;
  std::vector<unsigned char> buf(4096 * frame_bytes);
  std::vector<double> x;
  std::size_t have = 0;  // bytes in buf not yet used (a partial frame)
  std::int64_t frame = 0;
  for (;;) {
    const std::size_t got = std::fread(buf.data() + have, 1, buf.size() - have, stdin);
    if (got == 0) break;
    have += got;
    const std::size_t frames = have / frame_bytes;
    x.resize(frames * L);
    for (std::size_t i = 0; i < frames * L; ++i) {
      const unsigned char* p = buf.data() + i * width;
      double v;
      if (i16) {
        const auto u = static_cast<std::uint16_t>(p[0] | (p[1] << 8));
        v = static_cast<double>(static_cast<std::int16_t>(u)) / a.adc_gain;
      } else {
        const std::uint32_t u = static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
                                (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
        float f;
        std::memcpy(&f, &u, 4);
        if (!std::isfinite(f))
          throw InvalidArgument("standard input: sample " + std::to_string(frame + static_cast<std::int64_t>(i / L)) + " of lead " +
                                std::to_string(i % L) + " is " + (std::isnan(f) ? "NaN" : "infinite") +
                                " (f32 samples must be finite mV values)");
        v = f;
      }
      x[i] = v;
    }
    s.push(x);
    std::fflush(stdout);
    frame += static_cast<std::int64_t>(frames);
    const std::size_t used = frames * frame_bytes;
    std::memmove(buf.data(), buf.data() + used, have - used);
    have -= used;
  }
  if (std::ferror(stdin)) throw IoError("standard input: read error");
  if (have > 0) {
    if (i16 && have % 2)
      throw InvalidArgument("standard input: an odd number of bytes (" + std::to_string(frame * static_cast<std::int64_t>(frame_bytes) +
                                                                         static_cast<std::int64_t>(have)) +
                            ") is not whole int16 samples");
    throw InvalidArgument("standard input: the last " + std::to_string(have / width) + " samples are not a whole frame of " +
                          std::to_string(L) + " leads (--leads)");
  }
}

}  // namespace

int run_stream(const StreamArgs& a) {
  return guarded([&] {
    if (!(a.final_delay > 0) || a.final_delay > kMaxFinalDelay)
      throw InvalidArgument("--final-delay must be in (0, 600] seconds, got " + std::to_string(a.final_delay));
    StreamOptions so;
    if (!a.detector.empty()) so.detector = a.detector;
    so.lead = a.lead;
    so.final_delay_s = a.final_delay;
    so.use_weights = !a.argmax;
    so.use_rhythm_step = !a.no_rhythm_step;
    so.provisional = !a.final_only;
    so.episodes = !a.no_episodes;
    so.episode_options = a.episodes;
    const ModelBundle bundle = load_bundle(a.model, 1);
    const BeatPipeline pipe(bundle.meta, *bundle.model);
    if (a.input.empty()) {
      if (!(a.fs > 0) || !std::isfinite(a.fs)) throw InvalidArgument("stream: --fs (the sampling rate of standard input) is required");
      if (a.format == "i16" && !(a.adc_gain > 0)) throw InvalidArgument("stream: --adc-gain must be positive");
      if (!a.lead_names.empty() && a.lead_names.size() != static_cast<std::size_t>(a.leads))
        throw InvalidArgument("stream: --lead-names gives " + std::to_string(a.lead_names.size()) + " names for " + std::to_string(a.leads) +
                              " leads (--leads)");
      so.lead_names = a.lead_names;
      StreamAnalyzer s(pipe, a.fs, a.leads, so);
      LineWriter out(a.fs);
      s.set_callback([&](const StreamBeat& b) { out.beat(b); });
      s.set_episode_callback([&](const StreamEpisode& e) { out.episode(e); });
      stream_stdin(a, s);
      s.finish();
      out.line(end_line(s, "stdin"));
      std::fflush(stdout);
      return 0;
    }
    RecordingFileOptions ro;
    ro.fs = a.fs;
    const Recording rec = read_recording_file(a.input, ro);
    if (rec.samples.empty()) throw InvalidArgument(a.input + ": the recording has no signal");
    so.lead_names = rec.leads;
    const auto L = rec.samples.size();
    StreamAnalyzer s(pipe, rec.fs, static_cast<int>(L), so);
    LineWriter out(rec.fs);
    s.set_callback([&](const StreamBeat& b) { out.beat(b); });
    s.set_episode_callback([&](const StreamEpisode& e) { out.episode(e); });
    std::mt19937_64 rng(a.seed);
    std::uniform_int_distribution<int> random_block(1, 10000);
    std::vector<double> x;
    const std::size_t n = rec.num_samples();
    for (std::size_t at = 0; at < n;) {
      const auto m = std::min<std::size_t>(n - at, static_cast<std::size_t>(a.random_blocks ? random_block(rng) : a.block));
      x.resize(m * L);
      for (std::size_t t = 0; t < m; ++t)
        for (std::size_t l = 0; l < L; ++l) x[t * L + l] = rec.samples[l][at + t];
      s.push(x);
      at += m;
    }
    s.finish();
    out.line(end_line(s, a.input));
    std::fflush(stdout);
    return 0;
  });
}

}  // namespace heartwave::cli
