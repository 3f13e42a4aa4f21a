// WFDB header (.hea) files: the record line, one line per signal, comments.
// Reference: the WFDB "header(5)" format description (PhysioNet).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace heartwave {

struct SignalSpec {
  std::string file_name;
  int format = 0;
  int samples_per_frame = 1;
  int skew = 0;
  std::int64_t byte_offset = 0;
  double adc_gain = 200.0;     // ADC units per physical unit (0 in file -> 200)
  bool gain_given = false;
  int baseline = 0;            // defaults to adc_zero
  std::string units = "mV";
  int adc_resolution = 0;      // bits; 0 = format default
  int adc_zero = 0;
  int initial_value = 0;       // defaults to adc_zero
  bool has_initial_value = false;
  int checksum = 0;            // 16-bit sum of all samples
  bool has_checksum = false;
  int block_size = 0;
  std::string description;
};

struct Header {
  std::string record_name;
  int num_signals = 0;
  double sampling_frequency = 250.0;
  double counter_frequency = 0.0;
  double base_counter = 0.0;
  std::int64_t num_samples = 0;  // per signal; 0 = not given
  std::string base_time;
  std::string base_date;
  std::vector<SignalSpec> signals;
  std::vector<std::string> comments;  // without the leading '#'
};

// Parses header text. `source` names the file in error messages; errors
// carry "source:line: what". Throws ParseError / UnsupportedError.
Header parse_header(std::string_view text, const std::string& source);
// Reads and parses a .hea file. Throws IoError when it cannot be read.
Header read_header(const std::filesystem::path& path);
// Formats a header back to text (one canonical spelling of each field).
std::string format_header(const Header& header);

// Formats the library knows how to decode.
bool is_supported_format(int format) noexcept;

}  // namespace heartwave
