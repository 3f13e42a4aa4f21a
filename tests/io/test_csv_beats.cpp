#include <gtest/gtest.h>

#include "heartwave/io/csv_beats.hpp"
#include "heartwave/core/error.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

TEST(CsvBeats, ParsesWithAndWithoutHeader) {
  const auto a = parse_beats_csv("r_sample,s0,s1,s2\n10,0.5,1,-2\r\n\n20, 1e-3 ,2,3\n", 3, "b.csv");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.r_sample, (std::vector<std::int64_t>{10, 20}));
  EXPECT_EQ(a.samples, (std::vector<double>{0.5, 1, -2, 1e-3, 2, 3}));
  EXPECT_EQ(a.leads, 1u);
  EXPECT_TRUE(a.samples2.empty());
  const auto b = parse_beats_csv("5,1,2,3", 3, "b.csv");
  EXPECT_EQ(b.size(), 1u);
}

TEST(CsvBeats, TwoLeadsCarryTheSecondWindowAfterTheFirst) {
  const auto a = parse_beats_csv("r,a0,a1,b0,b1\n10,1,2,3,4\n20,5,6,7,8\n", 2, "b.csv");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.leads, 2u);
  EXPECT_EQ(a.samples, (std::vector<double>{1, 2, 5, 6}));
  EXPECT_EQ(a.samples2, (std::vector<double>{3, 4, 7, 8}));
  // The first beat decides; a later line of the other shape is an error.
  expect_throw_with<ParseError>([] { parse_beats_csv("10,1,2,3,4\n20,5,6\n", 2, "b.csv"); },
                                "b.csv:2: expected 5 fields like the first beat");
  expect_throw_with<ParseError>([] { parse_beats_csv("10,1,2\n20,5,6,7,8\n", 2, "b.csv"); }, "b.csv:2: expected 3 fields");
  expect_throw_with<ParseError>([] { parse_beats_csv("10,1,2,3,x\n", 2, "b.csv"); }, "invalid second-lead sample 1 'x'");
}

TEST(CsvBeats, ErrorsNameTheLine) {
  expect_throw_with<ParseError>([] { parse_beats_csv("1,2\n", 3, "b.csv"); }, "b.csv:1: expected 4 fields (r_sample and 3 samples) or 7");
  expect_throw_with<ParseError>([] { parse_beats_csv("1,2\n", 3, "b.csv"); }, "or the same without r_sample (3 or 6), found 2");
  expect_throw_with<ParseError>([] { parse_beats_csv("h\n1,2,3,4\n2,2,x,4\n", 3, "b.csv"); }, "b.csv:3: invalid sample 1 'x'");
  expect_throw_with<ParseError>([] { parse_beats_csv("5,1,2,3\n5,1,2,3\n", 3, "b.csv"); }, "b.csv:2: r_sample 5 does not increase");
  expect_throw_with<ParseError>([] { parse_beats_csv("-5,1,2,3\n", 3, "b.csv"); }, "negative");
  expect_throw_with<ParseError>([] { parse_beats_csv("1.5,1,2,3\n", 3, "b.csv"); }, "r_sample");
  expect_throw_with<ParseError>([] { parse_beats_csv("1,nan,2,3\n", 3, "b.csv"); }, "invalid sample 0");
  expect_throw_with<ParseError>([] { parse_beats_csv("header only\n", 3, "b.csv"); }, "no beats");
  EXPECT_THROW(read_beats_csv("/nonexistent/b.csv", 3), IoError);
}

TEST(CsvBeats, BeatsWithoutTimes) {
  // Windows alone: the first beat's count (width or 2 x width) decides, and
  // a negative first sample is data, not a header.
  const auto a = parse_beats_csv("s0,s1,s2\n-0.5,1,2\n3,4,5\n", 3, "b.csv");
  EXPECT_FALSE(a.timed);
  EXPECT_EQ(a.leads, 1u);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_TRUE(a.r_sample.empty());
  EXPECT_EQ(a.samples, (std::vector<double>{-0.5, 1, 2, 3, 4, 5}));
  const auto b = parse_beats_csv("9,8,7,6\n1,2,3,4\n", 2, "b.csv");
  EXPECT_FALSE(b.timed);
  EXPECT_EQ(b.leads, 2u);
  EXPECT_EQ(b.samples, (std::vector<double>{9, 8, 1, 2}));
  EXPECT_EQ(b.samples2, (std::vector<double>{7, 6, 3, 4}));
  // Timed beats stay timed; mixing the layouts names the line.
  EXPECT_TRUE(parse_beats_csv("5,1,2,3\n", 3, "b.csv").timed);
  expect_throw_with<ParseError>([] { parse_beats_csv("1,2,3\n4,5,6,7\n", 3, "b.csv"); },
                                "b.csv:2: expected 3 fields like the first beat (no r_sample, 3 samples of one lead), found 4");
  expect_throw_with<ParseError>([] { parse_beats_csv("10,1,2,3\n4,5,6\n", 3, "b.csv"); },
                                "b.csv:2: expected 4 fields like the first beat (r_sample and 3 samples");
  expect_throw_with<ParseError>([] { parse_beats_csv("1,2,x\n", 3, "b.csv"); }, "b.csv:1: invalid sample 2 'x'");
}
