#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;
using heartwave::test::mitdb_dir;
using heartwave::test::TempDir;

namespace {

// Writes a two-signal record in `format` whose header carries the true
// checksums and initial values.
void write_record(const TempDir& dir, const std::string& name, int format, const std::vector<std::int32_t>& s0,
                  const std::vector<std::int32_t>& s1) {
  std::vector<std::int32_t> inter;
  for (std::size_t i = 0; i < s0.size(); ++i) {
    inter.push_back(s0[i]);
    inter.push_back(s1[i]);
  }
  write_file_atomic(dir / (name + ".dat"), encode_samples(format, inter));
  std::string h = name + " 2 250 " + std::to_string(s0.size()) + "\n";
  h += name + ".dat " + std::to_string(format) + " 100(2)/mV 12 0 " + std::to_string(s0[0]) + " " +
       std::to_string(wfdb_checksum(s0)) + " 0 ECG1\n";
  h += name + ".dat " + std::to_string(format) + " 50 12 0 " + std::to_string(s1[0]) + " " +
       std::to_string(wfdb_checksum(s1)) + " 0 ECG2\n";
  write_file_atomic(dir / (name + ".hea"), h);
}

}  // namespace

TEST(WfdbRecord, ReadsEverySupportedFormat) {
  TempDir dir;
  for (int format : {16, 61, 80, 212, 310, 311}) {
    std::vector<std::int32_t> a, b;
    for (int i = 0; i < 101; ++i) {
      a.push_back((i * 7) % 100 - 50);
      b.push_back(-(i * 3) % 90 + 20);
    }
    const std::string name = "r" + std::to_string(format);
    write_record(dir, name, format, a, b);
    const Record r = read_record(dir / name);
    ASSERT_EQ(r.num_signals(), 2u);
    EXPECT_EQ(r.adc[0], a) << format;
    EXPECT_EQ(r.adc[1], b) << format;
    const auto phys = r.physical(0);
    EXPECT_DOUBLE_EQ(phys[1], (a[1] - 2) / 100.0);
    EXPECT_DOUBLE_EQ(r.physical(1)[3], b[3] / 50.0);
  }
}

TEST(WfdbRecord, SamplesPerFrameAndSkew) {
  TempDir dir;
  // Signal 0 has 2 samples per frame, signal 1 one sample with skew 1.
  const std::vector<std::int32_t> stream = {1, 2, 10, 3, 4, 11, 5, 6, 12, 7, 8, 13};
  write_file_atomic(dir / "m.dat", encode_samples(16, stream));
  write_file_atomic(dir / "m.hea", std::string("m 2 100 4\nm.dat 16x2 200 16 0 1\nm.dat 16:1 200 16 0 11\n"));
  const Record r = read_record(dir / "m");
  EXPECT_EQ(r.adc[0], (std::vector<std::int32_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  // Skewed by one frame; the last frame lies past the end of the file.
  EXPECT_EQ(r.adc[1], (std::vector<std::int32_t>{11, 12, 13, kInvalidSample}));
  EXPECT_TRUE(std::isnan(r.physical(1)[3]));
}

TEST(WfdbRecord, ByteOffsetIsSkipped) {
  TempDir dir;
  auto bytes = encode_samples(16, std::vector<std::int32_t>{9, 8, 7});
  bytes.insert(bytes.begin(), {0xAA, 0xBB, 0xCC, 0xDD});
  write_file_atomic(dir / "o.dat", bytes);
  write_file_atomic(dir / "o.hea", std::string("o 1 100 3\no.dat 16+4 200 16 0 9 24\n"));
  EXPECT_EQ(read_record(dir / "o").adc[0], (std::vector<std::int32_t>{9, 8, 7}));
}

TEST(WfdbRecord, BadInputGivesTypedErrorsNamingTheFile) {
  TempDir dir;
  std::vector<std::int32_t> a(50, 3), b(50, -4);
  write_record(dir, "t", 212, a, b);
  // Truncated signal file.
  auto bytes = read_file_bytes(dir / "t.dat");
  bytes.resize(bytes.size() - 10);
  write_file_atomic(dir / "t.dat", bytes);
  expect_throw_with<FormatError>([&] { read_record(dir / "t"); }, "t.dat: truncated");
  // Empty signal file.
  write_file_atomic(dir / "t.dat", std::string());
  expect_throw_with<FormatError>([&] { read_record(dir / "t"); }, "t.dat");
  // Missing signal file.
  std::filesystem::remove(dir / "t.dat");
  expect_throw_with<IoError>([&] { read_record(dir / "t"); }, "t.dat");
  // Missing header.
  expect_throw_with<IoError>([&] { read_record(dir / "nothere"); }, "nothere.hea");
  // Unknown format.
  write_file_atomic(dir / "u.hea", std::string("u 1 360 10\nu.dat 24 200 12 0\n"));
  write_file_atomic(dir / "u.dat", std::string(100, '\0'));
  expect_throw_with<UnsupportedError>([&] { read_record(dir / "u"); }, "u.dat: signal format 24");
  // Byte offset past the end.
  write_file_atomic(dir / "p.hea", std::string("p 1 360 10\np.dat 16+1000 200 16 0\n"));
  write_file_atomic(dir / "p.dat", std::string(20, '\0'));
  expect_throw_with<FormatError>([&] { read_record(dir / "p"); }, "beyond the end");
}

TEST(WfdbRecord, ChecksumMismatchIsErrorOrWarning) {
  TempDir dir;
  std::vector<std::int32_t> a(20, 3), b(20, -4);
  write_record(dir, "c", 16, a, b);
  auto text = read_file_text(dir / "c.hea");
  const auto pos = text.find(" 60 0 ECG1");  // checksum of twenty 3s
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 10, " 61 0 ECG1");
  write_file_atomic(dir / "c.hea", text);
  expect_throw_with<ChecksumError>([&] { read_record(dir / "c"); }, "c.dat: signal 0 (ECG1): checksum 60");
  ReadOptions warn;
  warn.checksum = ChecksumPolicy::warn;
  const Record r = read_record(dir / "c", warn);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("checksum"), std::string::npos);
  // Initial value mismatch.
  text.replace(text.find(" 61 0 ECG1"), 10, " 60 0 ECG1");
  text.replace(text.find(" 0 3 60"), 7, " 0 4 60");
  write_file_atomic(dir / "c.hea", text);
  expect_throw_with<ChecksumError>([&] { read_record(dir / "c"); }, "initial value 3");
}

TEST(MitBih, EveryRecordDecodesWithValidChecksums) {
  const auto dir = mitdb_dir();
  int records = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".hea") continue;
    const Record r = read_record(dir / e.path().stem());  // throws on any checksum mismatch
    ASSERT_EQ(r.num_signals(), 2u) << e.path();
    EXPECT_EQ(r.adc[0].size(), 650000u);
    EXPECT_EQ(r.adc[1].size(), 650000u);
    EXPECT_DOUBLE_EQ(r.fs(), 360.0);
    EXPECT_TRUE(r.warnings.empty());
    ++records;
  }
  EXPECT_EQ(records, 48);
}

TEST(MitBih, Record100PhysicalValues) {
  const Record r = read_record(mitdb_dir() / "100");
  EXPECT_EQ(r.header.signals[0].description, "MLII");
  EXPECT_EQ(r.header.signals[1].description, "V5");
  // First samples 995 and 1011, baseline 1024, gain 200 adu/mV.
  EXPECT_DOUBLE_EQ(r.physical(0)[0], -0.145);
  EXPECT_DOUBLE_EQ(r.physical(1)[0], -0.065);
  const Recording rec = to_recording(r);
  EXPECT_EQ(rec.leads, (std::vector<std::string>{"MLII", "V5"}));
  EXPECT_EQ(rec.num_samples(), 650000u);
}
