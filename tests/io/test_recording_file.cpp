#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "heartwave/core/error.hpp"
#include "heartwave/io/recording_file.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

namespace {

Recording raw(const std::string& bytes, RawFormat f, double fs = 250) {
  RecordingFileOptions o;
  o.fs = fs;
  o.raw = f;
  std::istringstream in(bytes);
  return read_raw_samples(in, o, "stdin");
}

}  // namespace

TEST(RecordingFile, KindsAndNamesFollowThePath) {
  EXPECT_EQ(recording_file_kind("-"), "stdin");
  EXPECT_EQ(recording_file_kind("a/b/100"), "wfdb");
  EXPECT_EQ(recording_file_kind("a/b/100.hea"), "wfdb");
  EXPECT_EQ(recording_file_kind("x.CSV"), "csv");
  EXPECT_EQ(recording_file_kind("holter.edf"), "biosig");
  EXPECT_EQ(recording_name("a/b/100.hea"), "100");
  EXPECT_EQ(recording_name("a/b/100"), "100");
  EXPECT_EQ(recording_name("x/holter.edf"), "holter");
  EXPECT_EQ(recording_name("-"), "stdin");
}

TEST(RecordingFile, RawTextWithAndWithoutAHeader) {
  const Recording plain = raw("0.5\n-1.25\n2\n", RawFormat::text);
  ASSERT_EQ(plain.leads, std::vector<std::string>{"ECG"});
  EXPECT_EQ(plain.samples[0], (std::vector<double>{0.5, -1.25, 2}));
  EXPECT_EQ(plain.fs, 250);
  const Recording two = raw("1,2\n3,4\n", RawFormat::text);
  EXPECT_EQ(two.leads, (std::vector<std::string>{"ECG", "ECG2"}));
  EXPECT_EQ(two.samples[1], (std::vector<double>{2, 4}));
  // A header naming the leads, even when a name holds digits (V5).
  const Recording named = raw("MLII,V5\n1,2\n3,4\n", RawFormat::text);
  EXPECT_EQ(named.leads, (std::vector<std::string>{"MLII", "V5"}));
  EXPECT_EQ(named.samples[0], (std::vector<double>{1, 3}));
  expect_throw_with<ParseError>([] { raw("1\nx\n", RawFormat::text); }, "stdin");
}

TEST(RecordingFile, RawBinarySamples) {
  std::string f32(8, '\0');
  const float a = 1.5f, b = -0.25f;
  std::memcpy(f32.data(), &a, 4);
  std::memcpy(f32.data() + 4, &b, 4);
  EXPECT_EQ(raw(f32, RawFormat::f32).samples[0], (std::vector<double>{1.5, -0.25}));
  // int16 little-endian ADC units at 200 per mV; -32768 is WFDB's missing sample.
  const std::string i16 = std::string("\x90\x01\x00\x80\x38\xff", 6);
  const Recording r = raw(i16, RawFormat::i16);
  ASSERT_EQ(r.samples[0].size(), 3u);
  EXPECT_EQ(r.samples[0][0], 2.0);
  EXPECT_TRUE(std::isnan(r.samples[0][1]));
  EXPECT_EQ(r.samples[0][2], -1.0);
  expect_throw_with<FormatError>([] { raw(std::string(7, '\0'), RawFormat::f32); }, "float32");
  expect_throw_with<InvalidArgument>([] { raw("1\n", RawFormat::text, 0); }, "--fs");
  EXPECT_THROW(parse_raw_format("wav"), InvalidArgument);
}

TEST(RecordingFile, CsvNeedsItsRateAndMissingFilesAreNamed) {
  heartwave::test::TempDir tmp;
  { std::ofstream(tmp / "s.csv") << "MLII\n0.1\n0.2\n"; }
  RecordingFileOptions o;
  expect_throw_with<InvalidArgument>([&] { read_recording_file(tmp / "s.csv", o); }, "--fs");
  o.fs = 360;
  const Recording r = read_recording_file(tmp / "s.csv", o);
  EXPECT_EQ(r.name, "s");
  EXPECT_EQ(r.samples[0].size(), 2u);
  expect_throw_with<IoError>([&] { read_recording_file(tmp / "nope", o); }, "nope");
  expect_throw_with<InvalidArgument>([&] { read_recording_file("-", o, nullptr); }, "standard input");
}
