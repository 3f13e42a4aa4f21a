// EDF, EDF+, BDF and BDF+ files, read through libbiosig (A. Schlögl, BioSig
// project) into a Recording in mV. EDF/EDF+: Kemp et al. 1992, Kemp &
// Olivan 2003. docs/inputs.md describes the formats and every rule below.
// GDF and SCP-ECG, which libbiosig also reads, are refused
// (UnsupportedError): its GDF header parser trusts the file's fields
// (malformed files crash it) and its SCP decoder calls exit() on malformed
// sections, which no caller can catch. Convert them to EDF first.
//
// Outcomes for the awkward files:
//  - EDF+D / BDF+D whose data records are not back to back:
//    UnsupportedError listing each gap (start and duration, in seconds
//    after the start), unless BiosigOptions::allow_discontinuous, which
//    returns the segments' samples back to back and lists the segments. An
//    EDF+D file whose records turn out to be contiguous reads as continuous.
//  - physical minimum == physical maximum, or digital maximum <= digital
//    minimum: FormatError naming the signal.
//  - number of data records -1 (still recording): counted from the file
//    size, whole records only (num_records_derived; a partial last record is
//    dropped with a warning).
//  - record duration 0 (or negative, or not a number): FormatError, unless
//    the file holds no samples.
//  - signals at different rates: Recording::fs is the highest rate among the
//    voltage signals (all signals when none is a voltage); the signals at
//    that rate are in `recording`, every other one keeps its own rate in
//    BiosigSignal::samples (the caller may resample it, dsp/resample.hpp).
//  - units: V, mV, uV, nV (any SI prefix of volt) are converted to mV; any
//    other unit keeps its values and is reported as written, for the caller
//    to refuse.
//  - a record duration the 8-character field cannot hold exactly (a 360 Hz
//    record with one sample per record stores "0.002778"): the true rate is
//    recovered by recover_sampling_rate's rule (below).
//  - a truncated file (fewer bytes than the header's records need), an empty
//    file or one that is not EDF/BDF, and header fields or annotations that
//    libbiosig would read past (see the .cpp): FormatError; a missing or
//    unreadable file: IoError. Every message names the file.
//
// libbiosig (libbiosig.so.3, Debian libbiosig3) is loaded the first time a
// file is read; without it reads throw UnsupportedError. It prints its own
// warnings on stderr, and it is not re-entrant, so the reads are serialised
// (one file at a time per process).
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "heartwave/core/recording.hpp"

namespace heartwave {

struct BiosigOptions {
  // Return the segments of a discontinuous file instead of refusing it.
  bool allow_discontinuous = false;
  // Apply recover_sampling_rate to EDF/BDF record durations.
  bool recover_rate = true;
};

// One signal of the file as its header declares it (annotation signals and
// BDF's Status signal, which carry no samples, are left out).
struct BiosigSignal {
  std::string label;          // trimmed
  std::string unit;           // "mV" once converted, else as written ("" when none)
  double fs = 0.0;            // its own rate, after rate recovery
  double header_fs = 0.0;     // samples per record / duration as the header states it
  std::size_t samples_per_record = 0;
  double physical_min = 0.0, physical_max = 0.0;  // in the unit as written
  double digital_min = 0.0, digital_max = 0.0;
  bool in_recording = false;  // true: one of `recording`'s leads (at recording.fs)
  // The samples (in `unit`) of a signal not in `recording`; empty otherwise.
  std::vector<double> samples;
};

// A stretch of back-to-back samples of a discontinuous file.
struct BiosigSegment {
  std::size_t first_sample = 0;  // index into recording.samples[lead]
  std::size_t num_samples = 0;
  double onset_s = 0.0;          // seconds after the first data record's start (start_time)
};

struct BiosigRecording {
  Recording recording;                 // the signals at recording.fs, in mV where convertible
  std::string format;                  // "EDF", "EDF+C", "EDF+D", "BDF", "BDF+C", "BDF+D"
  std::string start_time;              // local time as written, ISO-8601 ("2020-01-01T10:00:00"); "" if unknown
  double record_duration_s = 0.0;      // after rate recovery
  std::size_t num_records = 0;
  bool num_records_derived = false;    // the header said -1: counted from the file size
  std::vector<BiosigSignal> signals;   // every signal, in file order
  std::vector<BiosigSegment> segments; // one segment for a continuous file
  std::vector<std::string> warnings;
};

// The whole file. Throws IoError, FormatError or UnsupportedError naming it.
BiosigRecording read_biosig_record(const std::filesystem::path& file, const BiosigOptions& options = {});
// read_biosig_record(...).recording.
Recording read_biosig(const std::filesystem::path& file, const BiosigOptions& options = {});

// By extension (any case): .edf .bdf (and .rec, EDF's older name), and .gdf
// and .scp, so that those get read_biosig's clear refusal rather than being
// taken for a WFDB record name.
bool is_biosig_file(const std::filesystem::path& file);

// The sampling rate behind `samples_per_record` samples in a record whose
// duration the header writes as `duration_field` (EDF: 8 characters, e.g.
// "0.002778"). The rule:
//  1. r = spr / D. When r has at most 3 decimals (to 1e-9 relative, which
//     also removes floating-point noise such as 3 / 0.3), the header was
//     exact: return r so rounded.
//  2. Otherwise the text pins D only to within half a unit of its last
//     digit, [D - h, D + h], so the rate lies in [spr / (D + h), spr / (D - h)].
//     Look in that interval for integers, then rates with 1, 2, 3 decimals:
//     the first kind found decides. Exactly one candidate: return it
//     ("0.002778", 1 sample: [359.91, 360.04] -> 360). Several: the text
//     cannot tell them apart, return r.
//  3. None at all: return r.
// Returns NaN for a duration that is not a positive number.
double recover_sampling_rate(std::size_t samples_per_record, std::string_view duration_field);

}  // namespace heartwave
