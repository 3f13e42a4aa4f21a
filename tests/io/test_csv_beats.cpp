#include <gtest/gtest.h>

#include "heartwave/csv_beats.hpp"
#include "heartwave/error.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

TEST(CsvBeats, ParsesWithAndWithoutHeader) {
  const auto a = parse_beats_csv("r_sample,s0,s1,s2\n10,0.5,1,-2\r\n\n20, 1e-3 ,2,3\n", 3, "b.csv");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.r_sample, (std::vector<std::int64_t>{10, 20}));
  EXPECT_EQ(a.samples, (std::vector<double>{0.5, 1, -2, 1e-3, 2, 3}));
  const auto b = parse_beats_csv("5,1,2,3", 3, "b.csv");
  EXPECT_EQ(b.size(), 1u);
}

TEST(CsvBeats, ErrorsNameTheLine) {
  expect_throw_with<ParseError>([] { parse_beats_csv("1,2,3\n", 3, "b.csv"); }, "b.csv:1: expected 4 fields");
  expect_throw_with<ParseError>([] { parse_beats_csv("1,2,3\n", 3, "b.csv"); }, "without its R-peak sample number");
  expect_throw_with<ParseError>([] { parse_beats_csv("1,2\n", 3, "b.csv"); }, "found 2");
  expect_throw_with<ParseError>([] { parse_beats_csv("h\n1,2,3,4\n2,2,x,4\n", 3, "b.csv"); }, "b.csv:3: invalid sample 1 'x'");
  expect_throw_with<ParseError>([] { parse_beats_csv("5,1,2,3\n5,1,2,3\n", 3, "b.csv"); }, "b.csv:2: r_sample 5 does not increase");
  expect_throw_with<ParseError>([] { parse_beats_csv("-5,1,2,3\n", 3, "b.csv"); }, "negative");
  expect_throw_with<ParseError>([] { parse_beats_csv("1.5,1,2,3\n", 3, "b.csv"); }, "r_sample");
  expect_throw_with<ParseError>([] { parse_beats_csv("1,nan,2,3\n", 3, "b.csv"); }, "invalid sample 0");
  expect_throw_with<ParseError>([] { parse_beats_csv("header only\n", 3, "b.csv"); }, "no beats");
  EXPECT_THROW(read_beats_csv("/nonexistent/b.csv", 3), IoError);
}
