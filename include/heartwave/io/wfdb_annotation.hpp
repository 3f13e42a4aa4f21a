// WFDB annotations in the MIT binary format (.atr, .qrs, ...): reading,
// writing, and the per-record summary used by `heartwave record info`.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace heartwave {

struct Annotation {
  std::int64_t time = 0;  // sample number
  int code = 0;           // anntyp (see annotation_codes.hpp)
  int subtype = 0;
  int chan = 0;
  int num = 0;
  std::string aux;        // raw AUX bytes (may contain a trailing NUL)

  bool operator==(const Annotation&) const = default;
};

// Parses an MIT-format annotation stream. `source` names it in errors.
// Throws FormatError for odd lengths, truncated SKIP/AUX fields, codes out of
// range, or a missing end marker. As in WFDB, a SKIP may step backwards
// (even before sample 0, as files that open with a NOTE at 0 and a negative
// SKIP do); an annotation keeps the time its steps give it.
std::vector<Annotation> parse_annotations(std::span<const std::uint8_t> bytes, const std::string& source);
std::vector<Annotation> read_annotations(const std::filesystem::path& path);

// Encodes annotations as the WFDB library writes them (SKIP for gaps over
// 1023 samples or negative steps, SUB/CHN/NUM/AUX after their annotation,
// CHN and NUM only when they change), ending with the end marker.
std::vector<std::uint8_t> encode_annotations(std::span<const Annotation> annotations);
// Writes atomically (temp file then rename).
void write_annotations(const std::filesystem::path& path, std::span<const Annotation> annotations);

}  // namespace heartwave
