// libbiosig's EDF/BDF reader, checked before it sees a file: the header
// fields and annotations that sopen would trust unchecked (see
// biosig_record.cpp). Private to src/io; no libbiosig header here.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace heartwave::biosig_checks {

bool is_space(char c);
// A header field as atoi/atof see it: leading white space skipped, trailing
// spaces and NULs dropped.
std::string_view field_text(std::string_view s);
// A label as sopen stores it: up to a NUL, trailing white space removed.
std::string_view biosig_label(std::string_view s);

// The EDF/BDF header fields that libbiosig would trust, checked against
// each other and the file size.
struct EdfHeader {
  bool bdf = false, discontinuous = false, status_channel = false;
  std::string format;  // "EDF", "EDF+C", "EDF+D", "BDF", ...
  std::uint64_t size = 0;
  std::uint16_t ns = 0;
  std::uint32_t header_bytes = 0, bytes_per_record = 0;
  std::uint64_t num_records = 0;
  bool num_records_derived = false;
  std::string duration;  // the field as written
  double duration_value = 0.0;
  std::vector<std::string> units;
  // The annotation signals' bytes in each record, when sopen decodes them.
  std::uint64_t annot_offset = 0, annot_bytes = 0;
  bool annot_decoded = false;
};

// Throws IoError, FormatError or UnsupportedError (GDF, SCP-ECG, EDF+D
// without readable record times) naming the file; adds warnings.
EdfHeader check_edf(const std::filesystem::path& file, std::vector<std::string>& warnings);

}  // namespace heartwave::biosig_checks
