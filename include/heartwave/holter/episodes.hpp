// Rhythm episodes from a recording's classified beats: ectopic couplets and
// runs, bigeminy and trigeminy, pauses, asystole and atrial fibrillation,
// each with its start, end, beats and rate; and the same episodes as WFDB
// rhythm annotations (code `+`, AUX "(AFIB", "(VT", ...) that PhysioNet's
// rxr and epicmp read. docs/holter.md gives every definition and the source
// of each default.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "heartwave/io/wfdb_annotation.hpp"

namespace heartwave {

// The thresholds, all configurable (analyze --pause, --asystole, ...).
struct EpisodeOptions {
  double pause_s = 2.0;      // an RR interval longer than this is a pause
  double asystole_s = 5.0;   // ... at least this long, asystole (no QRS)
  int run_min_beats = 3;     // consecutive ectopic beats of one kind: a run (VT, SVTA); 2 is a couplet
  int bigeminy_min_cycles = 3;   // normal-ectopic cycles for bigeminy
  int trigeminy_min_cycles = 3;  // normal-normal-ectopic cycles for trigeminy
  // AF episodes from the rhythm step's AF gate verdicts: runs of gated beats
  // closer than af_merge_gap_s are joined, and episodes shorter than
  // af_min_s dropped (chosen on DS1, docs/holter.md).
  double af_min_s = 60;
  double af_merge_gap_s = 0;
  // The AF verdicts smoothed first: a beat counts as AF when more than half
  // of the af_smooth_beats beats centred on it are (fewer at the ends); 1:
  // the verdicts as they are. Odd, >= 1.
  int af_smooth_beats = 1;
};

// The AF verdicts after EpisodeOptions::af_smooth_beats' majority filter.
std::vector<std::uint8_t> smooth_af(std::span<const std::uint8_t> af, int smooth_beats);

enum class EpisodeType {
  af,                        // atrial fibrillation (or flutter: not told apart)
  ventricular_run,           // >= run_min_beats V beats in a row: VT
  supraventricular_run,      // >= run_min_beats S beats in a row: SVTA
  ventricular_couplet,       // exactly 2 V in a row
  supraventricular_couplet,  // exactly 2 S in a row
  ventricular_bigeminy,
  ventricular_trigeminy,
  supraventricular_bigeminy,
  supraventricular_trigeminy,
  pause,
  asystole,
};
// "AFIB", "VT", "SVTA", "VCOUPLET", "SVCOUPLET", "B", "T", "SVB", "SVT3", "PAUSE", "ASYSTOLE".
const char* episode_type_name(EpisodeType type);

struct Episode {
  EpisodeType type = EpisodeType::af;
  std::int64_t begin = 0, end = 0;    // samples: the first beat's R, and the R of the beat after the last (or the last's)
  std::size_t first_beat = 0, last_beat = 0;  // beat indices (inclusive)
  int beats = 0;                      // beats in the episode (pauses, asystole: 0)
  double rate_bpm = 0;                // mean rate over the episode's beats (pauses: 0)
  double duration_s(double fs) const { return static_cast<double>(end - begin) / fs; }
};

// The beats of a recording, in time order: R samples (strictly increasing),
// classes 0..4 (N S V F Q), and the AF gate's verdict per beat (empty: no
// AF episodes). `excluded` (optional, sample ranges [begin, end) judged
// unreadable) removes pauses and asystole that overlap them. Episodes in
// order of their start. InvalidArgument for lengths that differ or times
// out of order.
struct SampleRange {
  std::int64_t begin = 0, end = 0;
};
std::vector<Episode> find_episodes(std::span<const std::int64_t> r_sample, std::span<const std::int32_t> cls,
                                   std::span<const std::uint8_t> af, double fs, const EpisodeOptions& options = {},
                                   std::span<const SampleRange> excluded = {});

// The episodes as WFDB rhythm annotations: the rhythm in force changes at
// each episode's start ("(AFIB", "(VT", "(SVTA", "(B", "(T") and returns at
// its end to the underlying rhythm ("(N", or "(AFIB" inside AF); couplets,
// supraventricular bigeminy, pauses and asystole are not rhythms in the
// MIT-BIH scheme and are left out. The first annotation, "(N" or
// "(AFIB", is at the first beat. Empty when there are no beats.
std::vector<Annotation> rhythm_annotations(std::span<const Episode> episodes, std::span<const std::int64_t> r_sample);

// Beat and rhythm annotations merged in time order (rhythm before a beat at
// the same sample, as MIT-BIH writes them).
std::vector<Annotation> merge_annotations(std::span<const Annotation> beats, std::span<const Annotation> rhythm);

}  // namespace heartwave
