// The ANSI/AAMI EC57 beat-by-beat comparison of a test annotator against a
// record's reference annotations, as PhysioNet's `bxb` (WFDB 10.7, G. Moody)
// computes it, with the aggregate rows `sumstats` derives from bxb's line
// format. Counts, figures and the printed tables reproduce bxb and sumstats
// byte for byte (tests/eval/test_ec57_reference.cpp checks all 48 MIT-BIH
// records against their outputs). docs/evaluation.md describes the rules.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "heartwave/io/wfdb_annotation.hpp"

namespace heartwave {

struct Ec57Options {
  double window_s = 0.15;        // match window (bxb -w)
  double start_s = 300;          // learning period: the comparison starts here (bxb -f); 0 = whole record
  std::int64_t end_sample = -1;  // -1: the record's end (its number of samples; when that is 0, the end of the
                                 // reference annotations); 0: the end of either annotation list (bxb -t 0);
                                 // otherwise the comparison stops at this sample (bxb -t)
};

// bxb's beat classes. Reference rows N S V F Q O X, test columns n s v f q o x:
// O is "no beat" (the row of an extra test beat, the column of a missed
// reference beat), X a beat the other annotator could not see because it
// marked the signal unreadable (shutdown).
enum class Ec57Class : int { N, S, V, F, Q, O, X };
inline constexpr int kEc57Classes = 7;

// One record's comparison: bxb's full count table and RR error terms.
struct Ec57Record {
  std::string record;
  double fs = 0;                       // sampling frequency, from the reference header
  std::int64_t window_samples = 0;     // the options as applied, in samples
  std::int64_t start_sample = 0;
  std::int64_t end_sample = -1;        // -1: end of the reference annotations; 0: end of either
  // counts[reference][test]; rows O and X have no o or x column (always 0).
  std::array<std::array<std::int64_t, kEc57Classes>, kEc57Classes> counts{};
  std::int64_t rr_intervals = 0;       // RR interval pairs in the RR error
  double rr_sum_squares = 0;           // sum of (reference RR - test RR)^2, in samples^2
  std::int64_t samples_per_second = 1; // bxb's strtim("1"): fs rounded
  std::int64_t shutdown_s = 0;         // test annotator's shutdown, whole seconds as bxb rounds it

  std::int64_t at(Ec57Class ref, Ec57Class test) const {
    return counts[static_cast<std::size_t>(ref)][static_cast<std::size_t>(test)];
  }
};

// bxb's AAMI class of an annotation code, as the comparison reads it: 'N',
// 'S', 'V', 'F' or 'Q' for a beat (classes as in the docs: e and j are S),
// 'O' for a beat with no class (WFDB's isqrs includes '!', the flutter
// wave), 0 for an annotation that is no beat. Shared by the run comparison.
char ec57_beat_class(int code) noexcept;

// Compares `test` with `reference` (both in sample numbers at `fs`; any
// annotations, only beats count) over the span the options give. Pure, in
// memory. `num_samples` is the record length from its header (0: unknown).
// Throws InvalidArgument naming `record_name` for a bad window, learning
// period, sampling frequency or interval.
Ec57Record ec57_compare(std::span<const Annotation> reference, std::span<const Annotation> test, double fs,
                        std::int64_t num_samples, const Ec57Options& options, std::string record_name);

// The 19 count columns of bxb's line format (-L), primed ones combining cells:
// Nn' = Nn+Nf+Nq, Fn' = Fn+Ff+Fq+Qn+Qf+Qq, On' = On+Of+Oq+Xn+Xf+Xq, Fs' = Fs+Qs,
// Os' = Os+Xs, Fv' = Fv+Qv, Ov' = Ov+Xv, No' = No+Nx, Fo' = Fo+Fx+Qo+Qx, ...
inline constexpr int kEc57Columns = 19;
using Ec57Columns = std::array<std::int64_t, kEc57Columns>;
extern const std::array<std::string_view, kEc57Columns> kEc57ColumnNames;  // "Nn'", "Sn'", ..., "Fo'"
Ec57Columns ec57_columns(const Ec57Record& r);

// Figures in percent (RR error in ms); nullopt where the denominator is 0,
// which bxb and sumstats print as "-".
struct Ec57Stats {
  std::optional<double> qrs_se, qrs_ppv, veb_se, veb_ppv, veb_fpr, sveb_se, sveb_ppv, rr_error_ms;
};
// bxb's per-record figures: F and Q beats called V are not false VEBs, Q
// beats called S not false SVEBs; RR error is the RMS over matched pairs.
Ec57Stats ec57_figures(const Ec57Record& r);

// bxb's shutdown report (its second line-format file).
struct Ec57Shutdown {
  std::array<std::int64_t, 5> missed{};     // Nx Sx Vx Fx Qx
  std::array<std::int64_t, 5> reference{};  // reference N S V F Q beats compared
  // Percent missed in shutdown: all beats (bxb leaves Sx out of this one), N, S, V, F.
  std::optional<double> beats, n, s, v, f;
  std::int64_t seconds = 0;
};
Ec57Shutdown ec57_shutdown(const Ec57Record& r);

// sumstats' rows over bxb's line-format table: Sum of the columns, Gross
// figures from the sums, Average the mean of the per-record figures where
// defined (computed from the line's columns, as sumstats does; the RR error
// from the printed values). Gross and average VEB FPR are heartwave's
// addition (sumstats prints none for -L tables); gross has no RR error.
struct Ec57Summary {
  std::size_t records = 0;
  Ec57Columns sum{};
  Ec57Stats gross, average;
  std::int64_t total_qrs = 0, total_veb = 0, total_sveb = 0;
};
Ec57Summary ec57_summarize(std::span<const Ec57Record> records);

// The text bxb -L writes: the column headings, then one line per record.
std::string ec57_l1_header();
std::string ec57_l1_line(const Ec57Record& r);
std::string ec57_l1_table(std::span<const Ec57Record> records);
std::string ec57_l2_header();
std::string ec57_l2_line(const Ec57Record& r);
std::string ec57_l2_table(std::span<const Ec57Record> records);
// What sumstats prints for the L1 table: the table, then Sum, Gross, Average,
// the totals and the record count.
std::string ec57_sumstats(std::span<const Ec57Record> records);
// "gross QRS_Se=99.73 QRS_PP=99.72 VEB_Se=- ... SVEB_PP=-" (no newline).
std::string ec57_gross_line(const Ec57Summary& summary);
// Per record counts, columns and figures, the sum, gross and average rows,
// the options and "build".
nlohmann::json ec57_json(std::span<const Ec57Record> records, const Ec57Options& options);

// Record names in `dir` with both NAME.hea and NAME.<annotator>, sorted.
std::vector<std::string> ec57_list_records(const std::filesystem::path& dir, const std::string& annotator);
// Reads ref_dir/RECORD.hea (the header only: frequency and length),
// ref_dir/RECORD.<ref_annotator> and test_dir/RECORD.<test_annotator>, and
// compares them. Throws IoError naming a missing file.
Ec57Record ec57_compare_files(const std::filesystem::path& ref_dir, const std::string& ref_annotator,
                              const std::filesystem::path& test_dir, const std::string& test_annotator,
                              const std::string& record, const Ec57Options& options);

}  // namespace heartwave
