// Beats CSV parser: parse or throw a heartwave::Error; what parses is consistent.
#include <cstdint>
#include <string>

#include "heartwave/io/csv_beats.hpp"
#include "heartwave/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto r = heartwave::parse_beats_csv({reinterpret_cast<const char*>(data), size}, 3, "fuzz.csv");
    if (r.samples.size() != r.size() * 3 || r.size() == 0) __builtin_trap();
    if (r.leads == 1 ? !r.samples2.empty() : r.leads != 2 || r.samples2.size() != r.size() * 3) __builtin_trap();
    if (r.r_sample.size() != (r.timed ? r.size() : 0)) __builtin_trap();
    for (std::size_t i = 1; i < r.r_sample.size(); ++i)
      if (r.r_sample[i] <= r.r_sample[i - 1]) __builtin_trap();
  } catch (const heartwave::Error&) {
  }
  return 0;
}
