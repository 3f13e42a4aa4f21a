// heartwave ec57: the ANSI/AAMI EC57 beat-by-beat comparison of a test
// annotator's files against the reference annotations, as PhysioNet's bxb
// and sumstats report it (eval/ec57.hpp).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/eval/ec57.hpp"
#include "heartwave/eval/ec57_episodes.hpp"
#include "heartwave/eval/ec57_runs.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/text_parse.hpp"

namespace heartwave::cli {

void register_ec57(CLI::App& app, Ec57Args& e, int& status) {
  CLI::App* cmd = app.add_subcommand(
      "ec57",
      "Compare a test annotator's beat annotations with the reference ones, beat by beat, as ANSI/AAMI EC57 and "
      "PhysioNet's bxb count them: prints sumstats' table (per record, Sum, Gross, Average), then a `gross` line");
  cmd->add_option("--ref-dir", e.ref_dir, "Folder of the WFDB records: headers (.hea) and reference annotations")->required();
  cmd->add_option("--ref-ann", e.ref_ann, "Reference annotator (file extension)")->capture_default_str();
  cmd->add_option("--test-dir", e.test_dir, "Folder of the test annotation files (RECORD.<test-ann>)")->required();
  cmd->add_option("--test-ann", e.test_ann, "Test annotator (file extension)")->required();
  cmd->add_option("--records", e.records,
                  "Records to compare: a comma-separated list, or a file with one record per line (default: every record "
                  "in --ref-dir with a header and the reference annotations, sorted)");
  cmd->add_option("--learning-period", e.learning_period,
                  "Seconds at the start of each record left out (as bxb); 0 compares the whole record")->capture_default_str();
  cmd->add_option("--window", e.window, "Match window in seconds (as bxb)")->capture_default_str();
  cmd->add_option("--json", e.json, "Also write the counts and figures as JSON to this file");
  cmd->add_option("--l1", e.l1, "Also write bxb's beat-by-beat line table (bxb -L's first file) to this file");
  cmd->add_option("--l2", e.l2, "Also write bxb's shutdown line table (bxb -L's second file) to this file");
  cmd->add_flag("--runs", e.runs,
                "Compare runs instead (as rxr): ventricular and supraventricular couplets, short and long runs, Se and +P; "
                "prints that table and a `runs` line (--json: its counts)");
  cmd->add_flag("--episodes", e.episodes,
                "Compare rhythm episodes instead (as epicmp for AF, EC38's rules): episode and duration Se and +P; "
                "prints that table and an `episodes` line (--json: its counts; with --runs, both)");
  cmd->add_option("--episode-rhythms", e.episode_rhythms,
                  "With --episodes: the rhythms (AUX of rhythm annotations) an episode is made of, comma-separated")
      ->capture_default_str();
  cmd->callback([&] { status = run_ec57(e); });
}

namespace {

std::vector<std::string> record_list(const Ec57Args& a) {
  std::vector<std::string> out;
  if (a.records.empty()) {
    out = ec57_list_records(a.ref_dir, a.ref_ann);
    if (out.empty())
      throw IoError("ec57: no record in " + a.ref_dir + " has both a header (.hea) and reference annotations (." +
                    a.ref_ann + ")");
    return out;
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(a.records, ec)) {
    const std::string text = read_file_text(a.records);
    for (std::string_view line : split_lines(text)) {
      line = trim(line);
      if (!line.empty() && line[0] != '#') out.emplace_back(line);
    }
    if (out.empty()) throw InvalidArgument("ec57: --records " + a.records + ": the file lists no record");
    return out;
  }
  std::vector<std::string_view> names;
  split_commas(a.records, names);
  for (std::string_view name : names) {
    if (name.empty())
      throw InvalidArgument("ec57: --records '" + a.records + "': an empty name (expected NAME,NAME,... or a file)");
    out.emplace_back(name);
  }
  return out;
}

std::string format_seconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", s);
  return b;
}

}  // namespace

// --runs and --episodes: rxr's and epicmp's tables instead of bxb's.
static int run_ec57_runs_episodes(const Ec57Args& a) {
  if (!a.l1.empty() || !a.l2.empty())
    throw InvalidArgument("ec57: --l1 and --l2 write bxb's tables; they cannot be used with --runs or --episodes");
  Ec57EpisodeOptions eo;
  eo.start_s = a.learning_period;
  if (a.episodes) {
    std::vector<std::string_view> names;
    split_commas(a.episode_rhythms, names);
    eo.rhythms.clear();
    for (std::string_view name : names) {
      name = trim(name);
      if (name.empty())
        throw InvalidArgument("ec57: --episode-rhythms '" + a.episode_rhythms +
                              "': an empty rhythm (expected e.g. \"(AFIB,(AFL\")");
      eo.rhythms.emplace_back(name);
    }
  }
  if (!a.json.empty()) prepare_output_file(a.json);
  Ec57Options o;
  o.window_s = a.window;
  o.start_s = a.learning_period;
  std::vector<Ec57RunRecord> runs;
  std::vector<Ec57EpisodeRecord> episodes;
  for (const std::string& name : record_list(a)) {
    const Ec57RecordFiles f = ec57_read_record_files(a.ref_dir, a.ref_ann, a.test_dir, a.test_ann, name);
    if (a.runs) runs.push_back(ec57_compare_runs(f.reference, f.test, f.fs, f.num_samples, o, name));
    if (a.episodes) episodes.push_back(ec57_compare_episodes(f.reference, f.test, f.fs, f.num_samples, eo, name));
  }
  const std::size_t n = a.runs ? runs.size() : episodes.size();
  const std::string span = a.learning_period > 0
                               ? "from " + format_seconds(a.learning_period) + " s (learning period)"
                               : std::string("whole records");
  if (a.runs) {
    std::printf("EC57 run-by-run comparison (rxr's rules): test annotator %s against %s, %zu record%s, window %g s, %s\n\n",
                a.test_ann.c_str(), a.ref_ann.c_str(), n, n == 1 ? "" : "s", a.window, span.c_str());
    std::fputs(ec57_runs_table(runs).c_str(), stdout);
  }
  if (a.episodes) {
    if (a.runs) std::printf("\n");
    std::printf("EC38 episode-by-episode comparison (epicmp's rules) of %s episodes: test annotator %s against %s, "
                "%zu record%s, %s\n\n",
                a.episode_rhythms.c_str(), a.test_ann.c_str(), a.ref_ann.c_str(), n, n == 1 ? "" : "s", span.c_str());
    std::fputs(ec57_episodes_table(episodes).c_str(), stdout);
  }
  if (!a.json.empty()) {
    nlohmann::json j;
    if (a.runs && a.episodes) j = {{"runs", ec57_runs_json(runs, o)}, {"episodes", ec57_episodes_json(episodes, eo)}};
    else if (a.runs) j = ec57_runs_json(runs, o);
    else j = ec57_episodes_json(episodes, eo);
    write_file_atomic(a.json, j.dump(2) + "\n");
    std::printf("wrote %s\n", a.json.c_str());
  }
  if (a.runs) std::printf("%s\n", ec57_runs_gross_line(ec57_summarize_runs(runs)).c_str());
  if (a.episodes) std::printf("%s\n", ec57_episodes_gross_line(ec57_summarize_episodes(episodes)).c_str());
  return 0;
}

int run_ec57(const Ec57Args& a) {
  return guarded([&] {
    if (!std::isfinite(a.window) || a.window <= 0 || a.window > 10)
      throw InvalidArgument("ec57: --window " + format_seconds(a.window) +
                            ": the match window must be above 0 and at most 10 seconds");
    if (!std::isfinite(a.learning_period) || a.learning_period < 0)
      throw InvalidArgument("ec57: --learning-period " + format_seconds(a.learning_period) +
                            ": must be 0 seconds or more");
    if (a.runs || a.episodes) return run_ec57_runs_episodes(a);
    for (const std::string* out : {&a.json, &a.l1, &a.l2})
      if (!out->empty()) prepare_output_file(*out);
    Ec57Options o;
    o.window_s = a.window;
    o.start_s = a.learning_period;
    std::vector<Ec57Record> recs;
    for (const std::string& name : record_list(a))
      recs.push_back(ec57_compare_files(a.ref_dir, a.ref_ann, a.test_dir, a.test_ann, name, o));
    std::printf("EC57 beat-by-beat comparison (bxb's rules): test annotator %s against %s, %zu record%s, window %g s, %s\n\n",
                a.test_ann.c_str(), a.ref_ann.c_str(), recs.size(), recs.size() == 1 ? "" : "s", a.window,
                a.learning_period > 0 ? ("from " + format_seconds(a.learning_period) + " s (learning period)").c_str()
                                      : "whole records");
    std::fputs(ec57_sumstats(recs).c_str(), stdout);
    if (!a.l1.empty()) {
      write_file_atomic(a.l1, ec57_l1_table(recs));
      std::printf("wrote %s\n", a.l1.c_str());
    }
    if (!a.l2.empty()) {
      write_file_atomic(a.l2, ec57_l2_table(recs));
      std::printf("wrote %s\n", a.l2.c_str());
    }
    if (!a.json.empty()) {
      write_file_atomic(a.json, ec57_json(recs, o).dump(2) + "\n");
      std::printf("wrote %s\n", a.json.c_str());
    }
    std::printf("%s\n", ec57_gross_line(ec57_summarize(recs)).c_str());
    return 0;
  });
}

}  // namespace heartwave::cli
