#include <gtest/gtest.h>

#include "heartwave/core/error.hpp"
#include "heartwave/data/npy.hpp"

using namespace heartwave;
using namespace std::string_literals;

TEST(Npy, RoundTripAndAlignedHeader) {
  const std::vector<float> v = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  const auto bytes = encode_npy<float>(v, {2, 3});
  const std::size_t header = 10 + (bytes[8] | (bytes[9] << 8));
  EXPECT_EQ(header % 64, 0u);
  EXPECT_EQ(bytes[header - 1], '\n');
  const auto a = parse_npy(bytes, "mem");
  EXPECT_EQ(a.descr, "<f4");
  EXPECT_EQ(a.shape, (std::vector<std::uint64_t>{2, 3}));
  const auto back = a.as<float>();
  EXPECT_EQ(std::vector<float>(back.begin(), back.end()), v);
  const std::vector<std::int64_t> w = {-1, 5};
  const auto b = parse_npy(encode_npy<std::int64_t>(w, {2}), "mem");
  EXPECT_EQ(b.descr, "<i8");
  EXPECT_EQ(b.shape, (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(b.as<std::int64_t>()[0], -1);
  const std::string dict(bytes.begin() + 10, bytes.begin() + static_cast<long>(header));
  EXPECT_NE(dict.find("'shape': (2, 3), }"), std::string::npos);
  const auto one = encode_npy<std::int32_t>(std::vector<std::int32_t>{4}, {1});
  EXPECT_NE(std::string(one.begin(), one.end()).find("(1,)"), std::string::npos);
}

TEST(Npy, MalformedInputIsFormatError) {
  EXPECT_THROW(parse_npy(std::vector<std::uint8_t>{1, 2, 3}, "x.npy"), FormatError);
  auto bytes = encode_npy<float>(std::vector<float>{1, 2, 3}, {3});
  bytes.pop_back();
  EXPECT_THROW(parse_npy(bytes, "x.npy"), FormatError);
  EXPECT_THROW(encode_npy<float>(std::vector<float>{1, 2, 3}, {2}), InvalidArgument);
  // Shapes whose element count overflows or is absurd are rejected, not trusted.
  const std::string huge = "\x93NUMPY\x01\x00\x4e\x00{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n"s;
  const std::vector<std::uint8_t> hb(huge.begin(), huge.end());
  EXPECT_THROW(parse_npy(hb, "huge.npy"), FormatError);
  const std::string digits = "\x93NUMPY\x01\x00\x4d\x00{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }\n"s;
  EXPECT_THROW(parse_npy(std::vector<std::uint8_t>(digits.begin(), digits.end()), "d.npy"), FormatError);
}
