// MIT annotation parser: parse or throw; what parses re-encodes to a stream
// that parses to the same annotations.
#include <cstdint>
#include <span>

#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto anns = heartwave::parse_annotations({data, size}, "fuzz.atr");
    std::vector<std::uint8_t> bytes;
    try {
      bytes = heartwave::encode_annotations(anns);
    } catch (const heartwave::InvalidArgument&) {
      return 0;  // e.g. code 0 right after a SKIP: not representable, as in WFDB
    }
    if (heartwave::parse_annotations(bytes, "re.atr") != anns) __builtin_trap();
  } catch (const heartwave::Error&) {
  }
  return 0;
}
