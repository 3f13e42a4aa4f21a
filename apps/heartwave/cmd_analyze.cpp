// heartwave analyze: raw recordings in, every beat found and classified out
// (WFDB annotations, CSV or JSON), no reference annotations read.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "model_options.hpp"
#include "progress.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/core/parallel.hpp"
#include "heartwave/beats/label_sets.hpp"
#include "heartwave/detect/qrs.hpp"
#include "heartwave/holter/episodes.hpp"
#include "heartwave/holter/summary.hpp"
#include "heartwave/holter/summary_html.hpp"
#include "heartwave/infer/analyze.hpp"
#include "heartwave/io/biosig_record.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/recording_file.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/models/bundle.hpp"

namespace heartwave::cli {

void add_episode_options(CLI::App* app, EpisodeOptions& o) {
  app->add_option("--pause", o.pause_s, "Pause: an RR interval longer than this many seconds")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--asystole", o.asystole_s, "Asystole: no QRS for at least this many seconds")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--af-min-duration", o.af_min_s, "AF episodes shorter than this many seconds are dropped")->capture_default_str()->check(CLI::NonNegativeNumber);
  app->add_option("--af-merge-gap", o.af_merge_gap_s, "AF stretches closer than this many seconds are one episode")->capture_default_str()->check(CLI::NonNegativeNumber);
  app->add_option("--af-smooth", o.af_smooth_beats, "A beat counts as AF when most of the N beats centred on it are (odd; 1: no smoothing)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

void register_analyze(CLI::App& app, AnalyzeArgs& a, int& status) {
  CLI::App* an = app.add_subcommand(
      "analyze", "Find and classify every beat of raw recordings (no reference annotations read): WFDB, EDF/BDF/GDF, CSV or stdin");
  an->add_option("records", a.inputs,
                 "WFDB records (path without extension), .edf/.bdf/.gdf files, .csv signals (--fs), folders of them, or '-' "
                 "(samples on standard input, --fs)")
      ->required();
  an->add_option("--model", a.model, "Model file")->capture_default_str();
  an->add_option("--out", a.out, "Output folder")->capture_default_str();
  an->add_option("--annotator", a.annotator, "Annotation file extension of the WFDB output (<record>.<annotator>)")
      ->capture_default_str();
  an->add_option("--format", a.formats, "Outputs: wfdb (MIT annotation file), csv, json; several may be given")
      ->delimiter(',')
      ->check(CLI::IsMember({"wfdb", "csv", "json"}))
      ->capture_default_str();
  an->add_option("--detector", a.detector, "QRS detector (" + [] {
    std::string s;
    for (const auto& n : qrs_detector_names()) s += (s.empty() ? "" : ", ") + n;
    return s;
  }() + "; default " + kDefaultQrsDetector + ")");
  an->add_option("--lead", a.lead, "Lead to analyse, by signal name (default: the model's lead MLII, else II, else the first)");
  an->add_option("--threads", a.threads, "Records analysed at once")->capture_default_str()->check(CLI::Range(1, 256));
  an->add_option("--fs", a.fs, "Sampling rate in Hz of CSV and standard-input samples");
  an->add_option("--stdin-format", a.stdin_format,
                 "Standard input: text (numbers, a line per sample, a column per lead), f32 (float32 mV) or i16 (int16 ADC units)")
      ->check(CLI::IsMember({"text", "f32", "i16"}))
      ->capture_default_str();
  an->add_option("--adc-gain", a.adc_gain, "ADC units per mV of --stdin-format i16")->capture_default_str();
  an->add_flag("--argmax", a.argmax, "Ignore the model's class weights (plain argmax)");
  an->add_flag("--no-rhythm-step", a.no_rhythm_step, "Ignore the model's rhythm step");
  an->add_flag("--no-summary", a.no_summary, "Do not write the Holter summary (<out>/<record>/summary.json, summary.html, <out>/index.html)");
  an->add_flag("--no-rhythm-annotations", a.no_rhythm_annotations,
               "Write only beat annotations to the WFDB file (default: also the rhythm episodes as '+' annotations, (AFIB, (VT, ...)");
  add_episode_options(an, a.episodes);
  an->add_option("--review-below", a.review_below, "Beats whose top class probability is below this are listed for review")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  an->callback([&] { status = run_analyze(a); });
}

namespace {

// The inputs, folders expanded into the records and signal files they hold.
std::vector<std::filesystem::path> expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::filesystem::path> out;
  for (const std::string& in : inputs) {
    const std::filesystem::path p(in);
    if (in != "-" && std::filesystem::is_directory(p)) {
      std::set<std::filesystem::path> found;
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (!e.is_regular_file()) continue;
        const auto& f = e.path();
        if (f.extension() == ".hea") found.insert(f.parent_path() / f.stem());
        else if (is_biosig_file(f)) found.insert(f);
      }
      if (found.empty()) throw InvalidArgument(in + ": the folder holds no WFDB header (.hea) or EDF/BDF/GDF file");
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

struct Outcome {
  std::string line, error;    // what was written, or why not
  std::exception_ptr thrown;  // set when the recording failed
  nlohmann::json summary;     // for the index page
};

}  // namespace

int run_analyze(const AnalyzeArgs& a) {
  return guarded([&] {
    const std::vector<std::filesystem::path> inputs = expand_inputs(a.inputs);
    std::set<std::string> names;
    for (const auto& p : inputs)
      if (!names.insert(recording_name(p)).second)
        throw InvalidArgument("two inputs are named '" + recording_name(p) + "': their outputs would overwrite each other");
    RecordingFileOptions ro;
    ro.fs = a.fs;
    ro.raw = parse_raw_format(a.stdin_format);
    ro.adc_gain = a.adc_gain;
    const AnalyzeOptions ao = analyze_options(a.detector, a.lead, a.argmax, a.no_rhythm_step);
    const int workers = std::max(1, std::min<int>(a.threads, static_cast<int>(inputs.size())));
    // One record: its model evaluation gets the threads; several: the records do.
    const ModelBundle bundle = load_bundle(a.model, workers == 1 ? a.threads : 1);
    const BeatPipeline pipe(bundle.meta, *bundle.model);
    const nlohmann::json model_info = {{"file", a.model}, {"family", bundle.meta.value("family", "")},
                                       {"label_set", bundle.meta.value("label_set", "")}};
    std::filesystem::create_directories(a.out);
    const std::set<std::string> formats(a.formats.begin(), a.formats.end());
    SummaryOptions so;
    so.episodes = a.episodes;
    so.review_below = a.review_below;

    std::vector<Outcome> outcomes(inputs.size());
    std::atomic<std::size_t> done{0};
    std::mutex draw;
    Progress progress;
    // Every recording is tried; one that fails is reported and the others are still written.
    parallel_for(inputs.size(), workers, [&](std::size_t i) {
      Outcome& o = outcomes[i];
      try {
        const auto t0 = std::chrono::steady_clock::now();
        const Recording rec = read_recording_file(inputs[i], ro, &std::cin);
        const Analysis an = analyze_recording(rec, pipe, ao);
        const std::filesystem::path base = std::filesystem::path(a.out) / an.record;
        std::vector<std::string> wrote;
        std::vector<Episode> episodes;
        const std::span<const double> lead = analysed_lead(rec, an);
        const nlohmann::json summary = holter_summary(an, lead, model_info, "", so, &episodes);
        if (formats.count("wfdb")) {
          std::vector<Annotation> anns = analysis_annotations(an);
          if (!a.no_rhythm_annotations) {
            std::vector<std::int64_t> r;
            for (const auto& b : an.beats) r.push_back(b.sample);
            anns = merge_annotations(anns, rhythm_annotations(episodes, r));
          }
          write_annotations(base.string() + "." + a.annotator, anns);
          wrote.push_back(base.string() + "." + a.annotator);
        }
        if (!a.no_summary) {
          std::filesystem::create_directories(base);
          write_file_atomic((base / "summary.json").string(), summary.dump(1) + "\n");
          write_file_atomic((base / "summary.html").string(), summary_html(summary, lead, rec.fs));
          wrote.push_back((base / "summary.json").string());
          wrote.push_back((base / "summary.html").string());
          o.summary = summary;
        }
        if (formats.count("csv")) {
          write_file_atomic(base.string() + ".csv", analysis_csv(an));
          wrote.push_back(base.string() + ".csv");
        }
        if (formats.count("json")) {
          write_file_atomic(base.string() + ".json", analysis_json(an, model_info).dump(1) + "\n");
          wrote.push_back(base.string() + ".json");
        }
        std::array<std::size_t, 5> counts{};
        for (const auto& b : an.beats) ++counts[static_cast<std::size_t>(b.cls)];
        const double ms = 1000 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        char head[256];
        std::snprintf(head, sizeof head, "%s: %zu beats (N %zu, S %zu, V %zu, F %zu, Q %zu), lead %s, %.0f s at %g Hz, %.0f ms ->",
                      an.record.c_str(), an.beats.size(), counts[0], counts[1], counts[2], counts[3], counts[4], an.lead.c_str(),
                      static_cast<double>(an.num_samples) / an.fs, an.fs, ms);
        o.line = head;
        for (const auto& w : wrote) o.line += " " + w;
      } catch (const std::exception& e) {
        o.error = e.what();
        o.thrown = std::current_exception();
      }
      const std::size_t k = ++done;
      std::lock_guard<std::mutex> lock(draw);
      progress.update("analyze", k, inputs.size());
    });
    progress.finish();
    // One recording: its own error (and exit code).
    if (inputs.size() == 1 && outcomes[0].thrown) std::rethrow_exception(outcomes[0].thrown);
    int failed = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (outcomes[i].thrown) {
        ++failed;
        std::fprintf(stderr, "error: %s: %s\n", inputs[i].string().c_str(), outcomes[i].error.c_str());
      } else {
        std::printf("%s\n", outcomes[i].line.c_str());
      }
    }
    if (!a.no_summary) {
      std::vector<nlohmann::json> summaries;
      std::vector<std::string> links;
      for (const Outcome& o : outcomes)
        if (!o.thrown && o.summary.is_object()) {
          summaries.push_back(o.summary);
          links.push_back(o.summary["record"].get<std::string>() + "/summary.html");
        }
      if (!summaries.empty()) write_file_atomic((std::filesystem::path(a.out) / "index.html").string(), summary_index_html(summaries, links));
    }
    if (inputs.size() > 1) std::printf("%zu of %zu recordings analysed; outputs in %s\n", inputs.size() - failed, inputs.size(), a.out.c_str());
    if (failed) throw InvalidArgument(std::to_string(failed) + " of " + std::to_string(inputs.size()) + " recordings could not be analysed");
    return 0;
  });
}

}  // namespace heartwave::cli
