// One recording from whatever file holds it, chosen by the path: a WFDB
// record (path without extension, or its .hea), an EDF / EDF+ / BDF / GDF /
// SCP-ECG file (through libbiosig), a CSV signal, or raw samples on
// standard input ("-").
#pragma once
#include <cstdint>
#include <filesystem>
#include <istream>
#include <string>

#include "heartwave/core/recording.hpp"

namespace heartwave {

enum class RawFormat { text, f32, i16 };
// "text", "f32" or "i16"; InvalidArgument otherwise.
RawFormat parse_raw_format(const std::string& name);

struct RecordingFileOptions {
  double fs = 0;  // CSV and raw samples only: their sampling rate (required there)
  RawFormat raw = RawFormat::text;  // standard input: numbers (one line per sample, one column per lead), or
                                    // one lead of little-endian float32 in mV or int16 in ADC units
  double adc_gain = 200;            // int16 ADC units per mV
  bool check_wfdb_checksums = true;
};

// The kind of file a path names: "wfdb", "biosig", "csv" or "stdin".
std::string recording_file_kind(const std::filesystem::path& path);
// The record's name (file stem; "stdin" for standard input).
std::string recording_name(const std::filesystem::path& path);

// Reads `path`; "-" reads `in` (standard input). Typed errors name the file.
Recording read_recording_file(const std::filesystem::path& path, const RecordingFileOptions& options, std::istream* in = nullptr);

// Raw samples from a stream (RecordingFileOptions::raw), named `name`.
Recording read_raw_samples(std::istream& in, const RecordingFileOptions& options, const std::string& name);

}  // namespace heartwave
