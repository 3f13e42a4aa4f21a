#include <gtest/gtest.h>

#include <random>

#include "heartwave/core/error.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

namespace {

std::vector<std::int32_t> decode(int format, const std::vector<std::uint8_t>& bytes, std::size_t n) {
  std::vector<std::int32_t> out(n);
  decode_samples(format, bytes, out, "test");
  return out;
}

int bits_of(int format) {
  switch (format) {
    case 80: return 8;
    case 212: return 12;
    case 310: case 311: return 10;
    default: return 16;
  }
}

}  // namespace

TEST(WfdbFormats, Format212KnownBytes) {
  // Samples 0x123 and -2 (0xFFE): byte0 = 0x23, byte1 = high nibbles (0xF << 4 | 0x1), byte2 = 0xFE.
  const std::vector<std::uint8_t> b = {0x23, 0xF1, 0xFE, 0x05, 0x00};
  const auto v = decode(212, b, 3);
  EXPECT_EQ(v[0], 0x123);
  EXPECT_EQ(v[1], -2);
  EXPECT_EQ(v[2], 5);  // an odd final sample uses two bytes
  EXPECT_EQ(decode(212, {0xFF, 0x07, 0x00}, 2)[0], 2047);
  EXPECT_EQ(decode(212, {0x00, 0x08, 0x00}, 2)[0], -2048);
}

TEST(WfdbFormats, OtherFormatsKnownBytes) {
  EXPECT_EQ(decode(16, {0x34, 0x12, 0xFF, 0xFF}, 2), (std::vector<std::int32_t>{0x1234, -1}));
  EXPECT_EQ(decode(61, {0x12, 0x34, 0x80, 0x00}, 2), (std::vector<std::int32_t>{0x1234, -32768}));
  EXPECT_EQ(decode(80, {0x80, 0x00, 0xFF}, 3), (std::vector<std::int32_t>{0, -128, 127}));
  // 311: 32-bit little-endian word with 10-bit fields: 1, -1 (0x3FF), 256.
  const std::uint32_t w = 1u | (0x3FFu << 10) | (256u << 20);
  EXPECT_EQ(decode(311, {static_cast<std::uint8_t>(w), static_cast<std::uint8_t>(w >> 8),
                         static_cast<std::uint8_t>(w >> 16), static_cast<std::uint8_t>(w >> 24)}, 3),
            (std::vector<std::int32_t>{1, -1, 256}));
  // 310: word0 = s0 << 1 | (s2 low 5 bits) << 11; word1 = s1 << 1 | (s2 high 5 bits) << 11.
  const std::uint32_t s0 = 5, s1 = 0x3FF /* -1 */, s2 = 0x2A5 /* -347 */;
  const std::uint32_t w0 = (s0 << 1) | ((s2 & 0x1F) << 11), w1 = (s1 << 1) | ((s2 >> 5) << 11);
  EXPECT_EQ(decode(310, {static_cast<std::uint8_t>(w0), static_cast<std::uint8_t>(w0 >> 8),
                         static_cast<std::uint8_t>(w1), static_cast<std::uint8_t>(w1 >> 8)}, 3),
            (std::vector<std::int32_t>{5, -1, -347}));
}

TEST(WfdbFormats, EncodeDecodeRoundTripEveryFormatAndLength) {
  std::mt19937 rng(7);
  for (int format : {16, 61, 80, 212, 310, 311}) {
    const int bits = bits_of(format);
    std::uniform_int_distribution<std::int32_t> dist(-(1 << (bits - 1)), (1 << (bits - 1)) - 1);
    for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 7u, 100u, 1001u}) {
      std::vector<std::int32_t> v(n);
      for (auto& x : v) x = dist(rng);
      const auto bytes = encode_samples(format, v);
      ASSERT_EQ(bytes.size(), bytes_for_samples(format, n)) << format;
      EXPECT_GE(samples_in_bytes(format, bytes.size()), n) << format << " n=" << n;
      EXPECT_EQ(decode(format, bytes, n), v) << "format " << format << " n=" << n;
    }
  }
}

TEST(WfdbFormats, TruncatedInputIsFormatError) {
  for (int format : {16, 61, 80, 212, 310, 311}) {
    const std::vector<std::int32_t> v(10, 1);
    auto bytes = encode_samples(format, v);
    bytes.pop_back();
    std::vector<std::int32_t> out(10);
    expect_throw_with<FormatError>([&] { decode_samples(format, bytes, out, "short.dat"); }, "short.dat: truncated");
  }
}

TEST(WfdbFormats, UnknownFormatIsUnsupported) {
  std::vector<std::int32_t> out(2);
  const std::vector<std::uint8_t> b(8, 0);
  expect_throw_with<UnsupportedError>([&] { decode_samples(24, b, out, "x.dat"); }, "format 24");
}

TEST(WfdbFormats, ChecksumIsSixteenBitSum) {
  EXPECT_EQ(wfdb_checksum(std::vector<std::int32_t>{1, 2, 3}), 6);
  EXPECT_EQ(wfdb_checksum(std::vector<std::int32_t>{32767, 1}), -32768);
  EXPECT_EQ(wfdb_checksum(std::vector<std::int32_t>{-1, -1}), -2);
}
