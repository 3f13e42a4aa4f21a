// EDF/BDF through libbiosig: libbiosig opens paths, so the input goes to a
// file first (one per process, in the temporary folder, reused). Any
// heartwave::Error is a clean refusal; a crash, a sanitizer report or a hang
// is a file the reader let through to libbiosig unchecked. A Recording that
// comes back must be consistent.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "heartwave/core/error.hpp"
#include "heartwave/io/biosig_record.hpp"

namespace {

const std::filesystem::path& input_path() {
  static const std::filesystem::path p =
      std::filesystem::temp_directory_path() / ("heartwave-fuzz-edf-" + std::to_string(getpid()) + ".edf");
  return p;
}

void check(const heartwave::BiosigRecording& b) {
  const heartwave::Recording& r = b.recording;
  if (r.leads.size() != r.samples.size() || r.units.size() != r.samples.size()) __builtin_trap();
  for (const auto& lead : r.samples)
    if (lead.size() != r.num_samples()) __builtin_trap();
  if (r.num_samples() && !(r.fs > 0 && std::isfinite(r.fs))) __builtin_trap();
  std::size_t covered = 0;
  for (const auto& s : b.segments) {
    if (s.first_sample != covered) __builtin_trap();
    covered += s.num_samples;
  }
  if (covered != r.num_samples()) __builtin_trap();
  for (const auto& s : b.signals)
    if (!s.in_recording && s.samples.size() != static_cast<std::size_t>(std::llround(
                                                   static_cast<double>(s.samples_per_record) * b.num_records)))
      __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(input_path().c_str(), "wb");
  if (!f) __builtin_trap();
  if (size && std::fwrite(data, 1, size, f) != size) __builtin_trap();
  std::fclose(f);
  for (bool segments : {false, true}) {
    heartwave::BiosigOptions options;
    options.allow_discontinuous = segments;
    try {
      check(heartwave::read_biosig_record(input_path(), options));
    } catch (const heartwave::Error&) {
    }
  }
  return 0;
}
