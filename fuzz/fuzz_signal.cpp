// Sample decoders: the first byte picks a format; the decoder reads exactly
// as many samples as the bytes hold, and encoding them gives them back.
#include <cstdint>
#include <vector>

#include "heartwave/core/error.hpp"
#include "heartwave/io/wfdb_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const int formats[] = {16, 61, 80, 212, 310, 311, 24};
  const int format = formats[data[0] % 7];
  std::span<const std::uint8_t> bytes(data + 1, size - 1);
  try {
    const auto n = heartwave::samples_in_bytes(format, bytes.size());
    std::vector<std::int32_t> out(n);
    heartwave::decode_samples(format, bytes, out, "fuzz.dat");
    const auto enc = heartwave::encode_samples(format, out);
    std::vector<std::int32_t> back(n);
    heartwave::decode_samples(format, enc, back, "re.dat");
    if (back != out) __builtin_trap();
    // Asking for one sample more than the bytes hold must fail cleanly.
    std::vector<std::int32_t> more(heartwave::samples_in_bytes(format, bytes.size()) + 1);
    if (heartwave::bytes_for_samples(format, more.size()) > bytes.size()) {
      try {
        heartwave::decode_samples(format, bytes, more, "fuzz.dat");
        __builtin_trap();
      } catch (const heartwave::FormatError&) {
      }
    }
  } catch (const heartwave::UnsupportedError&) {
  }
  return 0;
}
