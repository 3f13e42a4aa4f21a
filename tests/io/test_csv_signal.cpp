#include <gtest/gtest.h>

#include <cmath>

#include "heartwave/io/csv_signal.hpp"
#include "heartwave/core/error.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

TEST(CsvSignal, ParsesLeadsAndSkipsTimeColumn) {
  const auto r = parse_csv_signal("time,MLII,\"V5\"\r\n0,0.1,-0.2\n0.0027,0.15,-0.25\n\n0.0055,,3e-1\n", 360, "dir/rec.csv");
  EXPECT_EQ(r.name, "rec");
  EXPECT_DOUBLE_EQ(r.fs, 360);
  EXPECT_EQ(r.leads, (std::vector<std::string>{"MLII", "V5"}));
  ASSERT_EQ(r.num_samples(), 3u);
  EXPECT_DOUBLE_EQ(r.samples[0][1], 0.15);
  EXPECT_TRUE(std::isnan(r.samples[0][2]));
  EXPECT_DOUBLE_EQ(r.samples[1][2], 0.3);
}

TEST(CsvSignal, SemicolonAndTabSeparators) {
  EXPECT_EQ(parse_csv_signal("a;b\n1;2\n", 100, "x.csv").samples[1][0], 2.0);
  EXPECT_EQ(parse_csv_signal("a\tb\n1\t2\n", 100, "x.csv").samples[1][0], 2.0);
}

TEST(CsvSignal, ErrorsNameFileAndLine) {
  expect_throw_with<ParseError>([] { parse_csv_signal("", 360, "e.csv"); }, "e.csv: empty CSV");
  expect_throw_with<ParseError>([] { parse_csv_signal("a,b\n1,2\n3\n", 360, "e.csv"); }, "e.csv:3: expected 2 fields, found 1");
  expect_throw_with<ParseError>([] { parse_csv_signal("a,b\n1,x\n", 360, "e.csv"); }, "e.csv:2: invalid sample value 'x'");
  expect_throw_with<ParseError>([] { parse_csv_signal("a,b\n", 360, "e.csv"); }, "no sample rows");
  expect_throw_with<ParseError>([] { parse_csv_signal("time\n1\n", 360, "e.csv"); }, "no lead columns");
  expect_throw_with<ParseError>([] { parse_csv_signal("a,,b\n1,2,3\n", 360, "e.csv"); }, "column 2 has no lead name");
  expect_throw_with<ParseError>([] { parse_csv_signal("a\ninf\n", 360, "e.csv"); }, "invalid sample value");
  expect_throw_with<InvalidArgument>([] { parse_csv_signal("a\n1\n", 0, "e.csv"); }, "sampling frequency");
  expect_throw_with<InvalidArgument>([] { parse_csv_signal("a\n1\n", 5e6, "e.csv"); }, "sampling frequency");
  expect_throw_with<IoError>([] { read_csv_signal("/nonexistent/x.csv", 360); }, "x.csv");
}
