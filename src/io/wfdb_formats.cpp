// Sample formats of WFDB signal files (see the WFDB "signal(5)" description):
//   16  16-bit two's complement, little-endian
//   61  16-bit two's complement, big-endian
//   80  8-bit offset binary (stored value - 128)
//   212 pairs of 12-bit two's complement samples in 3 bytes
//   310 three 10-bit samples in two little-endian 16-bit words: sample 0 in
//       bits 1-10 of word 0, sample 1 in bits 1-10 of word 1, sample 2 with its
//       low 5 bits in bits 11-15 of word 0 and high 5 bits in bits 11-15 of word 1
//   311 three 10-bit samples in one little-endian 32-bit word (bits 0-9,
//       10-19, 20-29)
#include <algorithm>

#include "heartwave/core/error.hpp"
#include "heartwave/io/wfdb_record.hpp"

namespace heartwave {
namespace {

inline std::int32_t sext(std::uint32_t v, int bits) {
  const std::uint32_t m = 1u << (bits - 1);
  return static_cast<std::int32_t>((v ^ m) - m);
}

void unsupported(int format) {
  throw UnsupportedError("signal format " + std::to_string(format) + " is not supported");
}

}  // namespace

std::uint64_t bytes_for_samples(int format, std::uint64_t n) {
  switch (format) {
    case 16: case 61: return 2 * n;
    case 80: return n;
    case 212: return (n / 2) * 3 + (n % 2 ? 2 : 0);
    case 310: return (n / 3) * 4 + (n % 3 == 1 ? 2 : n % 3 == 2 ? 4 : 0);
    case 311: return (n / 3) * 4 + (n % 3 ? 4 : 0);
    default: unsupported(format);
  }
  return 0;
}

std::uint64_t samples_in_bytes(int format, std::uint64_t b) {
  switch (format) {
    case 16: case 61: return b / 2;
    case 80: return b;
    case 212: return (b / 3) * 2 + (b % 3 >= 2 ? 1 : 0);
    case 310: return (b / 4) * 3 + (b % 4 >= 2 ? 1 : 0);
    case 311: return (b / 4) * 3;
    default: unsupported(format);
  }
  return 0;
}

void decode_samples(int format, std::span<const std::uint8_t> bytes, std::span<std::int32_t> out,
                    const std::string& source) {
  const std::uint64_t n = out.size();
  const std::uint64_t need = bytes_for_samples(format, n);
  if (bytes.size() < need)
    throw FormatError(source + ": truncated: " + std::to_string(n) + " samples in format " +
                      std::to_string(format) + " need " + std::to_string(need) +
                      " bytes, the file holds " + std::to_string(bytes.size()));
  const std::uint8_t* p = bytes.data();
  std::int32_t* o = out.data();
  switch (format) {
    case 16:
      for (std::uint64_t i = 0; i < n; ++i)
        o[i] = static_cast<std::int16_t>(p[2 * i] | (p[2 * i + 1] << 8));
      break;
    case 61:
      for (std::uint64_t i = 0; i < n; ++i)
        o[i] = static_cast<std::int16_t>((p[2 * i] << 8) | p[2 * i + 1]);
      break;
    case 80:
      for (std::uint64_t i = 0; i < n; ++i) o[i] = static_cast<std::int32_t>(p[i]) - 128;
      break;
    case 212: {
      const std::uint64_t pairs = n / 2;
      for (std::uint64_t k = 0; k < pairs; ++k) {
        const std::uint32_t b0 = p[3 * k], b1 = p[3 * k + 1], b2 = p[3 * k + 2];
        o[2 * k] = sext(b0 | ((b1 & 0x0Fu) << 8), 12);
        o[2 * k + 1] = sext(b2 | ((b1 & 0xF0u) << 4), 12);
      }
      if (n % 2) o[n - 1] = sext(p[3 * pairs] | ((p[3 * pairs + 1] & 0x0Fu) << 8), 12);
      break;
    }
    case 310: {
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t g = i / 3;
        const std::uint8_t* q = p + 4 * g;
        const std::uint32_t w0 = q[0] | (q[1] << 8);
        switch (i % 3) {
          case 0: o[i] = sext((w0 >> 1) & 0x3FF, 10); break;
          case 1: o[i] = sext(((q[2] | (q[3] << 8)) >> 1) & 0x3FF, 10); break;
          default: {
            const std::uint32_t w1 = q[2] | (q[3] << 8);
            o[i] = sext(((w0 >> 11) & 0x1F) | (((w1 >> 11) & 0x1F) << 5), 10);
          }
        }
      }
      break;
    }
    case 311: {
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint8_t* q = p + 4 * (i / 3);
        const std::uint32_t w = q[0] | (q[1] << 8) | (q[2] << 16) | (static_cast<std::uint32_t>(q[3]) << 24);
        o[i] = sext((w >> (10 * (i % 3))) & 0x3FF, 10);
      }
      break;
    }
    default: unsupported(format);
  }
}

std::vector<std::uint8_t> encode_samples(int format, std::span<const std::int32_t> s) {
  const std::uint64_t n = s.size();
  std::vector<std::uint8_t> b(bytes_for_samples(format, n), 0);
  auto clampv = [](std::int32_t v, int bits) {
    const std::int32_t hi = (1 << (bits - 1)) - 1, lo = -(1 << (bits - 1));
    return static_cast<std::uint32_t>(std::clamp(v, lo, hi)) & ((1u << bits) - 1);
  };
  switch (format) {
    case 16:
    case 61:
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint32_t v = clampv(s[i], 16);
        const std::uint8_t lo = v & 0xFF, hi = (v >> 8) & 0xFF;
        b[2 * i] = format == 16 ? lo : hi;
        b[2 * i + 1] = format == 16 ? hi : lo;
      }
      break;
    case 80:
      for (std::uint64_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(std::clamp(s[i], -128, 127) + 128);
      break;
    case 212:
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint32_t v = clampv(s[i], 12);
        std::uint8_t* q = b.data() + 3 * (i / 2);
        if (i % 2 == 0) {
          q[0] = v & 0xFF;
          q[1] = static_cast<std::uint8_t>((q[1] & 0xF0) | (v >> 8));
        } else {
          q[2] = v & 0xFF;
          q[1] = static_cast<std::uint8_t>((q[1] & 0x0F) | ((v >> 8) << 4));
        }
      }
      break;
    case 310:
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint32_t v = clampv(s[i], 10);
        std::uint8_t* q = b.data() + 4 * (i / 3);
        std::uint32_t w0 = q[0] | (q[1] << 8);
        std::uint32_t w1 = (4 * (i / 3) + 2 < b.size()) ? (q[2] | (q[3] << 8)) : 0;
        if (i % 3 == 0) w0 = (w0 & ~0x7FEu) | (v << 1);
        else if (i % 3 == 1) w1 = (w1 & ~0x7FEu) | (v << 1);
        else {
          w0 = (w0 & 0x7FFu) | ((v & 0x1F) << 11);
          w1 = (w1 & 0x7FFu) | ((v >> 5) << 11);
        }
        q[0] = w0 & 0xFF;
        q[1] = (w0 >> 8) & 0xFF;
        if (4 * (i / 3) + 2 < b.size()) {
          q[2] = w1 & 0xFF;
          q[3] = (w1 >> 8) & 0xFF;
        }
      }
      break;
    case 311:
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint32_t v = clampv(s[i], 10) << (10 * (i % 3));
        std::uint8_t* q = b.data() + 4 * (i / 3);
        for (int k = 0; k < 4; ++k) q[k] |= static_cast<std::uint8_t>(v >> (8 * k));
      }
      break;
    default: unsupported(format);
  }
  return b;
}

int wfdb_checksum(std::span<const std::int32_t> samples) {
  std::uint32_t sum = 0;
  for (std::int32_t v : samples) sum += static_cast<std::uint32_t>(v);
  return static_cast<std::int16_t>(sum & 0xFFFF);
}

}  // namespace heartwave
