// The ANSI/AAMI EC57 (and EC38) run-by-run comparison of a test annotator
// against a record's reference annotations, following the rules of
// PhysioNet's `rxr` (WFDB, G. Moody): runs of ventricular (V) and of
// supraventricular (S) ectopic beats, scored as couplets (2 beats), short
// runs (3-5) and long runs (6 or more). docs/evaluation.md describes the
// rules and where heartwave's reading differs from rxr's program.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "heartwave/eval/ec57.hpp"
#include "heartwave/io/wfdb_annotation.hpp"

namespace heartwave {

// The run types and the length classes rxr reports.
enum class Ec57RunType : int { Ventricular, Supraventricular };
enum class Ec57RunLength : int { Couplet, Short, Long };
inline constexpr int kEc57RunTypes = 2;
inline constexpr int kEc57RunLengths = 3;
// Run lengths are counted up to 6, as rxr does: index 6 of a matrix is "6 or more".
inline constexpr int kEc57MaxRun = 6;

// One length class of one run type.
struct Ec57RunCounts {
  std::int64_t reference = 0;  // reference runs of this class
  std::int64_t detected = 0;   // of them, with a test run at least as long as the class's shortest in the window (TPs)
  std::int64_t test = 0;       // test runs of this class
  std::int64_t confirmed = 0;  // of them, with a reference run at least that long in the window (TPp)
};

// Sensitivity and positive predictivity in percent; nullopt where the
// denominator is 0 (printed "-").
struct Ec57RunStats {
  std::optional<double> se, ppv;
};
Ec57RunStats ec57_run_figures(const Ec57RunCounts& c);

using Ec57RunMatrix = std::array<std::array<std::int64_t, kEc57MaxRun + 1>, kEc57MaxRun + 1>;

// One record's run comparison.
struct Ec57RunRecord {
  std::string record;
  double fs = 0;
  std::int64_t window_samples = 0;  // the options as applied, in samples
  std::int64_t start_sample = 0;
  std::int64_t end_sample = -1;     // -1: no end (the end of the annotation lists)
  // counts[type][length class]
  std::array<std::array<Ec57RunCounts, kEc57RunLengths>, kEc57RunTypes> counts{};
  // rxr's summary matrices, per type: sensitivity[reference length][longest
  // test run in the window] over the reference runs (row 0 unused), and
  // predictivity[longest reference run in the window][test length] over the
  // test runs (column 0 unused). Row or column 1 holds isolated beats.
  std::array<Ec57RunMatrix, kEc57RunTypes> sensitivity{}, predictivity{};

  const Ec57RunCounts& at(Ec57RunType type, Ec57RunLength length) const {
    return counts[static_cast<std::size_t>(type)][static_cast<std::size_t>(length)];
  }
};

// Compares the runs of `test` with those of `reference` (sample numbers at
// `fs`; only beats count, classed as ec57_beat_class() gives). A run is a
// maximal sequence of consecutive beats of one class (V, or S); any other
// beat (N, F, Q, or the other ectopic class) ends it; annotations that are
// not beats, and '!' beats, neither extend nor end it. Runs are taken from
// the beats at or after the start of the comparison (options.start_s) and at
// or before its end (options.end_sample when above 0; with -1, `num_samples`
// when above 0; otherwise none: the end of the lists). For each run of one annotator, the match window runs
// from a window (options.window_s) before its first beat to a window after
// its last; the other annotator's longest run of the same class among its
// beats in the window (up to 6) decides: a couplet is matched by 2 or more,
// a short run by 3 or more, a long run by 6 or more. Pure, in memory.
// Throws InvalidArgument naming `record_name` for a bad window, learning
// period, frequency or interval, or beats out of time order.
Ec57RunRecord ec57_compare_runs(std::span<const Annotation> reference, std::span<const Annotation> test, double fs,
                                std::int64_t num_samples, const Ec57Options& options, std::string record_name);

// Gross figures: the counts (and matrices) summed over the records.
struct Ec57RunSummary {
  std::size_t records = 0;
  std::array<std::array<Ec57RunCounts, kEc57RunLengths>, kEc57RunTypes> sum{};
  std::array<Ec57RunMatrix, kEc57RunTypes> sensitivity{}, predictivity{};
};
Ec57RunSummary ec57_summarize_runs(std::span<const Ec57RunRecord> records);

// Two tables (ventricular, then supraventricular runs): one line per record
// and a Gross line; for couplets (C), short (S) and long (L) runs the
// reference runs, those detected (TPs), the test runs, those confirmed
// (TPp), Se and +P in percent ('-' when the denominator is 0).
std::string ec57_runs_table(std::span<const Ec57RunRecord> records);
// "runs VC_Se=100.00 VC_PP=100.00 VS_Se=... SL_PP=-" (no newline): the gross
// figures, V or S then C, S or L.
std::string ec57_runs_gross_line(const Ec57RunSummary& summary);
// Per record counts, figures and matrices, the gross row, the options and "build".
nlohmann::json ec57_runs_json(std::span<const Ec57RunRecord> records, const Ec57Options& options);

// A record's inputs for the comparisons of annotation files: the reference
// header's frequency and length and both annotation lists. Throws IoError
// naming a missing header or annotation file (as ec57_compare_files()).
struct Ec57RecordFiles {
  double fs = 0;
  std::int64_t num_samples = 0;
  std::vector<Annotation> reference, test;
};
Ec57RecordFiles ec57_read_record_files(const std::filesystem::path& ref_dir, const std::string& ref_annotator,
                                       const std::filesystem::path& test_dir, const std::string& test_annotator,
                                       const std::string& record);

}  // namespace heartwave
