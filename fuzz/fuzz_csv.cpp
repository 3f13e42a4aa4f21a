// CSV signal parser: parse or throw a heartwave::Error.
#include <cstdint>
#include <string>

#include "heartwave/io/csv_signal.hpp"
#include "heartwave/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto r = heartwave::parse_csv_signal({reinterpret_cast<const char*>(data), size}, 360.0, "fuzz.csv");
    for (const auto& lead : r.samples)
      if (lead.size() != r.num_samples()) __builtin_trap();
  } catch (const heartwave::Error&) {
  }
  return 0;
}
