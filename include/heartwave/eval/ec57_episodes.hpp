// The episode-by-episode comparison of rhythm episodes (atrial fibrillation
// by default) between a test annotator and the reference annotations, with
// the episode and duration sensitivity and positive predictivity of
// ANSI/AAMI EC38 as PhysioNet's `epicmp` reports them for AF (WFDB, G.
// Moody), with the gross and average rows `sumstats` adds. docs/evaluation.md
// describes the rules and where heartwave's reading differs from epicmp's.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "heartwave/io/wfdb_annotation.hpp"

namespace heartwave {

struct Ec57EpisodeOptions {
  double start_s = 300;          // learning period: episodes are clipped to start here (epicmp -f); 0 = whole record
  std::int64_t end_sample = -1;  // -1: the record's end (its number of samples; when 0, the last annotation of
                                 // either list); otherwise episodes are clipped to end at this sample
  // The rhythms (AUX of RHYTHM annotations, trailing NULs removed, compared
  // whole) that make up an episode.
  std::vector<std::string> rhythms = {"(AFIB", "(AFL"};
};

// An episode: samples [start, end).
struct Ec57Episode {
  std::int64_t start = 0, end = 0;
  bool operator==(const Ec57Episode&) const = default;
};

// The episodes of `annotations`: one starts at a RHYTHM annotation (code 28)
// whose AUX is in `rhythms` while none is open, and ends at the next RHYTHM
// annotation whose AUX is not, or at `record_end`. Rhythm annotations are
// taken in time order (a stable sort); other annotations are ignored.
// Episodes of no length are left out.
std::vector<Ec57Episode> ec57_episodes(std::span<const Annotation> annotations, std::span<const std::string> rhythms,
                                       std::int64_t record_end);

// One record's comparison; durations in samples at `fs`.
struct Ec57EpisodeRecord {
  std::string record;
  double fs = 0;
  std::int64_t start_sample = 0, end_sample = 0;  // the compared span, as applied
  std::int64_t reference = 0;   // reference episodes (clipped to the span, of some length)
  std::int64_t detected = 0;    // of them, overlapped by a test episode (TPs)
  std::int64_t test = 0;        // test episodes
  std::int64_t confirmed = 0;   // of them, overlapped by a reference episode (TPp)
  std::int64_t reference_duration = 0, test_duration = 0;
  std::int64_t overlap = 0;     // total time in both a reference and a test episode
};

// Episode Se = detected / reference, episode +P = confirmed / test, duration
// Se = overlap / reference duration, duration +P = overlap / test duration,
// in percent; nullopt where the denominator is 0.
struct Ec57EpisodeStats {
  std::optional<double> episode_se, episode_ppv, duration_se, duration_ppv;
};
Ec57EpisodeStats ec57_episode_figures(const Ec57EpisodeRecord& r);

// Compares the episodes of `test` with those of `reference` (sample numbers
// at `fs`; `num_samples` from the header, 0: unknown) over the span the
// options give: both lists' episodes are clipped to [start, end]; any
// overlap (of some length) qualifies an episode. Pure, in memory. Throws
// InvalidArgument naming `record_name` for a bad learning period, frequency,
// interval or an empty rhythm set.
Ec57EpisodeRecord ec57_compare_episodes(std::span<const Annotation> reference, std::span<const Annotation> test,
                                        double fs, std::int64_t num_samples, const Ec57EpisodeOptions& options,
                                        std::string record_name);

// Gross: the figures of the counts and durations (in seconds) summed over the
// records; average: the mean of each per-record figure over the records
// where it is defined.
struct Ec57EpisodeSummary {
  std::size_t records = 0;
  std::int64_t reference = 0, detected = 0, test = 0, confirmed = 0;
  double reference_seconds = 0, test_seconds = 0, overlap_seconds = 0;
  Ec57EpisodeStats gross, average;
};
Ec57EpisodeSummary ec57_summarize_episodes(std::span<const Ec57EpisodeRecord> records);

// The table: one line per record (episode counts, the four figures, the
// durations in seconds), then Gross and Average.
std::string ec57_episodes_table(std::span<const Ec57EpisodeRecord> records);
// "episodes ESe=100.00 EPP=100.00 DSe=99.87 DPP=98.10" (gross; '-' where undefined; no newline).
std::string ec57_episodes_gross_line(const Ec57EpisodeSummary& summary);
// Per record counts, durations and figures, gross and average, the options and "build".
nlohmann::json ec57_episodes_json(std::span<const Ec57EpisodeRecord> records, const Ec57EpisodeOptions& options);

}  // namespace heartwave
