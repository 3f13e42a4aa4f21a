// WFDB header parser: any input either parses or throws a heartwave::Error.
#include <cstdint>
#include <string>

#include "heartwave/core/error.hpp"
#include "heartwave/io/wfdb_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto h = heartwave::parse_header(text, "fuzz.hea");
    // What parses must format and parse again to the same shape.
    const auto again = heartwave::parse_header(heartwave::format_header(h), "fuzz2.hea");
    if (again.signals.size() != h.signals.size()) __builtin_trap();
  } catch (const heartwave::Error&) {
  }
  return 0;
}
