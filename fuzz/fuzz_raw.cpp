// Raw samples on standard input (analyze -): the first byte picks the
// format (text, f32, i16), the rest is the stream; read or throw a
// heartwave::Error.
#include <cstdint>
#include <sstream>
#include <string>

#include "heartwave/core/error.hpp"
#include "heartwave/io/recording_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  heartwave::RecordingFileOptions o;
  o.fs = 360;
  o.raw = data[0] % 3 == 0 ? heartwave::RawFormat::text : data[0] % 3 == 1 ? heartwave::RawFormat::f32 : heartwave::RawFormat::i16;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  try {
    const auto r = heartwave::read_raw_samples(in, o, "stdin");
    for (const auto& lead : r.samples)
      if (lead.size() != r.num_samples()) __builtin_trap();
    if (r.leads.size() != r.samples.size()) __builtin_trap();
  } catch (const heartwave::Error&) {
  }
  return 0;
}
