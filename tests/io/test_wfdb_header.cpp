#include <gtest/gtest.h>

#include "heartwave/core/error.hpp"
#include "heartwave/io/wfdb_header.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

TEST(WfdbHeader, ParsesRecordAndSignalLines) {
  const char* text =
      "# leading comment\n"
      "rec01 2 500/1000(25) 1200 10:20:30 25/11/2026\r\n"
      "rec01.dat 16x2:3+128 400(10)/uV 16 5 -7 123 0 lead I with spaces\n"
      "rec01.dat 16 0 12 0\n"
      "#age 42\n";
  const Header h = parse_header(text, "rec01.hea");
  EXPECT_EQ(h.record_name, "rec01");
  EXPECT_EQ(h.num_signals, 2);
  EXPECT_DOUBLE_EQ(h.sampling_frequency, 500.0);
  EXPECT_DOUBLE_EQ(h.counter_frequency, 1000.0);
  EXPECT_DOUBLE_EQ(h.base_counter, 25.0);
  EXPECT_EQ(h.num_samples, 1200);
  EXPECT_EQ(h.base_time, "10:20:30");
  EXPECT_EQ(h.base_date, "25/11/2026");
  ASSERT_EQ(h.signals.size(), 2u);
  const SignalSpec& s = h.signals[0];
  EXPECT_EQ(s.file_name, "rec01.dat");
  EXPECT_EQ(s.format, 16);
  EXPECT_EQ(s.samples_per_frame, 2);
  EXPECT_EQ(s.skew, 3);
  EXPECT_EQ(s.byte_offset, 128);
  EXPECT_DOUBLE_EQ(s.adc_gain, 400.0);
  EXPECT_EQ(s.baseline, 10);
  EXPECT_EQ(s.units, "uV");
  EXPECT_EQ(s.adc_resolution, 16);
  EXPECT_EQ(s.adc_zero, 5);
  EXPECT_EQ(s.initial_value, -7);
  EXPECT_TRUE(s.has_checksum);
  EXPECT_EQ(s.checksum, 123);
  EXPECT_EQ(s.description, "lead I with spaces");
  // Defaults: gain 0 means 200; baseline follows ADC zero; mV units.
  const SignalSpec& t = h.signals[1];
  EXPECT_DOUBLE_EQ(t.adc_gain, 200.0);
  EXPECT_FALSE(t.gain_given);
  EXPECT_EQ(t.baseline, 0);
  EXPECT_EQ(t.units, "mV");
  EXPECT_FALSE(t.has_checksum);
  ASSERT_EQ(h.comments.size(), 2u);
  EXPECT_EQ(h.comments[1], "age 42");
}

TEST(WfdbHeader, MinimalRecordLineUsesDefaults) {
  const Header h = parse_header("r 0\n", "r.hea");
  EXPECT_EQ(h.num_signals, 0);
  EXPECT_DOUBLE_EQ(h.sampling_frequency, 250.0);
  EXPECT_EQ(h.num_samples, 0);
}

TEST(WfdbHeader, FormatThenParseIsIdentity) {
  const char* text = "x 2 360 650000\nx.dat 212 200 11 1024 995 -22131 0 MLII\nx.dat 212 100(3)/uV 11 1024 1011 20052 0 V5\n# c\n";
  const Header a = parse_header(text, "x.hea");
  const Header b = parse_header(format_header(a), "x2.hea");
  EXPECT_EQ(b.record_name, a.record_name);
  EXPECT_EQ(b.num_samples, a.num_samples);
  ASSERT_EQ(b.signals.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(b.signals[i].checksum, a.signals[i].checksum);
    EXPECT_EQ(b.signals[i].baseline, a.signals[i].baseline);
    EXPECT_EQ(b.signals[i].units, a.signals[i].units);
    EXPECT_EQ(b.signals[i].description, a.signals[i].description);
    EXPECT_DOUBLE_EQ(b.signals[i].adc_gain, a.signals[i].adc_gain);
  }
  EXPECT_EQ(b.comments, a.comments);
}

TEST(WfdbHeader, ErrorsNameFileAndLine) {
  expect_throw_with<ParseError>([] { parse_header("", "e.hea"); }, "e.hea: no record line");
  expect_throw_with<ParseError>([] { parse_header("# only comments\n\n", "e.hea"); }, "no record line");
  expect_throw_with<ParseError>([] { parse_header("r 2 360 100\nr.dat 212\n", "e.hea"); },
                                "declares 2 signals but 1 signal lines");
  expect_throw_with<ParseError>([] { parse_header("r 1 360\nr.dat 212\nr.dat 212\n", "e.hea"); }, "e.hea:3");
  expect_throw_with<ParseError>([] { parse_header("r x 360\n", "e.hea"); }, "e.hea:1: invalid number of signals 'x'");
  expect_throw_with<ParseError>([] { parse_header("r 1 -5\nr.dat 212\n", "e.hea"); }, "sampling frequency");
  expect_throw_with<ParseError>([] { parse_header("r 1 1e9\nr.dat 212\n", "e.hea"); }, "out of range");
  expect_throw_with<ParseError>([] { parse_header("r 1 nan\nr.dat 212\n", "e.hea"); }, "sampling frequency");
  expect_throw_with<ParseError>([] { parse_header("r 1 360 -1\nr.dat 212\n", "e.hea"); }, "number of samples");
  expect_throw_with<ParseError>([] { parse_header("r 1 360 10\nr.dat 2a2\n", "e.hea"); }, "e.hea:2: invalid signal format");
  expect_throw_with<ParseError>([] { parse_header("r 1 360 10\nr.dat 212x0\n", "e.hea"); }, "samples per frame");
  expect_throw_with<ParseError>([] { parse_header("r 1 360 10\nr.dat 212 abc\n", "e.hea"); }, "ADC gain");
  expect_throw_with<ParseError>([] { parse_header("r 1 360 10\nr.dat 212 200(5\n", "e.hea"); }, "unterminated baseline");
  expect_throw_with<ParseError>([] { parse_header("r 1 360 10\nr.dat 212 200 99\n", "e.hea"); }, "ADC resolution");
  expect_throw_with<ParseError>([] { parse_header("r 99999 360\n", "e.hea"); }, "out of range");
  expect_throw_with<UnsupportedError>([] { parse_header("r/3 2 360 100\n", "e.hea"); }, "multi-segment");
  expect_throw_with<UnsupportedError>([] { parse_header("r 1 360 10\n../r.dat 212\n", "e.hea"); }, "record's directory");
}

TEST(WfdbHeader, MissingFileIsIoError) {
  expect_throw_with<IoError>([] { read_header("/nonexistent/heartwave/none.hea"); }, "none.hea");
}

TEST(WfdbHeader, SupportedFormats) {
  for (int f : {16, 61, 80, 212, 310, 311}) EXPECT_TRUE(is_supported_format(f)) << f;
  for (int f : {0, 8, 24, 32, 160, 508}) EXPECT_FALSE(is_supported_format(f)) << f;
}
