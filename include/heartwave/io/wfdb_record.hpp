// WFDB signal files: sample decoders/encoders for the common storage formats
// and reading a whole record (header + signal files) into memory.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "heartwave/io/wfdb_header.hpp"

namespace heartwave {

// The value WFDB uses for a missing sample in 16-bit formats.
inline constexpr std::int32_t kInvalidSample = -32768;

// Bytes needed to store `count` samples (interleaved stream) in `format`.
std::uint64_t bytes_for_samples(int format, std::uint64_t count);
// Largest number of whole samples that `bytes` bytes hold in `format`.
std::uint64_t samples_in_bytes(int format, std::uint64_t bytes);

// Decodes `out.size()` samples of a format from `bytes` (the whole sample
// stream from its start). Throws FormatError if `bytes` is too short,
// UnsupportedError for an unknown format. Never reads out of bounds.
void decode_samples(int format, std::span<const std::uint8_t> bytes, std::span<std::int32_t> out,
                    const std::string& source);
// Encodes samples (clamped to the format's range) into bytes.
std::vector<std::uint8_t> encode_samples(int format, std::span<const std::int32_t> samples);

enum class ChecksumPolicy { error, warn, ignore };

struct ReadOptions {
  ChecksumPolicy checksum = ChecksumPolicy::error;
};

struct Record {
  Header header;
  // Raw ADC samples per signal: num_samples * samples_per_frame values each.
  std::vector<std::vector<std::int32_t>> adc;
  // Problems downgraded to warnings by ReadOptions.
  std::vector<std::string> warnings;

  double fs() const { return header.sampling_frequency; }
  std::size_t num_signals() const { return adc.size(); }
  // Signal `i` in physical units: (adc - baseline) / gain; NaN for missing samples.
  std::vector<double> physical(std::size_t i) const;
};

// Reads record `record_path` (path without extension, e.g. ".../mitdb/100").
// Throws IoError, ParseError, FormatError, ChecksumError or UnsupportedError,
// each naming the file at fault.
Record read_record(const std::filesystem::path& record_path, const ReadOptions& options = {});

// Decodes the signal files of an already-parsed header whose files lie in `dir`.
Record read_record_signals(Header header, const std::filesystem::path& dir,
                           const ReadOptions& options = {});

// The same with the signal files' bytes from `source` (by the header's file
// name), e.g. files uploaded to the service; `shown_dir` only prefixes the
// names in error messages. `source` throws (IoError) for a missing file.
using SignalFileSource = std::function<std::vector<std::uint8_t>(const std::string& file_name)>;
Record decode_record(Header header, const std::filesystem::path& shown_dir, const SignalFileSource& source,
                     const ReadOptions& options = {});

// The 16-bit checksum WFDB stores: sum of samples modulo 2^16, as int16.
int wfdb_checksum(std::span<const std::int32_t> samples);

}  // namespace heartwave

#include "heartwave/core/recording.hpp"

namespace heartwave {

// The record in physical units, leads named by the signal descriptions.
Recording to_recording(const Record& record);

}  // namespace heartwave
