// EDF/BDF/GDF through libbiosig: synthetic EDF files with each awkward
// header, and MIT-BIH records converted by libbiosig's save2gdf (an
// independent writer) checked against heartwave's own WFDB reader.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "heartwave/core/error.hpp"
#include "heartwave/io/biosig_record.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;
using heartwave::test::mitdb_dir;
using heartwave::test::TempDir;

namespace {

struct Sig {
  std::string label = "ECG I", unit = "mV";
  std::string pmin = "-32.768", pmax = "32.767", dmin = "-32768", dmax = "32767";
  int spr = 10;
};

struct Edf {
  std::vector<Sig> sigs{Sig{}};
  int nrec = 5;
  std::string nrec_field;          // written instead of nrec when set
  std::string duration = "1";
  std::string reserved;            // "EDF+C", "EDF+D"
  std::function<double(int)> onset;  // EDF+: onset of record r (adds an annotation signal)
  // Digital value of sample j of record r of signal s.
  std::function<int(int, int, int)> value = [](int r, int s, int j) { return (r * 10 + j) * (s + 1); };
};

std::string field(const std::string& s, std::size_t n) {
  std::string f = s.substr(0, n);
  f.resize(n, ' ');
  return f;
}

std::string edf_bytes(const Edf& e) {
  std::vector<Sig> all = e.sigs;
  if (e.onset) all.push_back({"EDF Annotations", "", "-1", "1", "-32768", "32767", 15});
  const std::size_t ns = all.size();
  std::string h = field("0", 8) + field("X X X X", 80) + field("Startdate 01-JAN-2020 X X X", 80) +
                  field("01.01.20", 8) + field("10.00.00", 8) + field(std::to_string(256 * (ns + 1)), 8) +
                  field(e.reserved, 44) + field(e.nrec_field.empty() ? std::to_string(e.nrec) : e.nrec_field, 8) +
                  field(e.duration, 8) + field(std::to_string(ns), 4);
  for (const auto& s : all) h += field(s.label, 16);
  for (std::size_t i = 0; i < ns; ++i) h += field("", 80);
  for (const auto& s : all) h += field(s.unit, 8);
  for (const auto& s : all) h += field(s.pmin, 8);
  for (const auto& s : all) h += field(s.pmax, 8);
  for (const auto& s : all) h += field(s.dmin, 8);
  for (const auto& s : all) h += field(s.dmax, 8);
  for (std::size_t i = 0; i < ns; ++i) h += field("", 80);
  for (const auto& s : all) h += field(std::to_string(s.spr), 8);
  for (std::size_t i = 0; i < ns; ++i) h += field("", 32);
  for (int r = 0; r < e.nrec; ++r) {
    for (std::size_t s = 0; s < e.sigs.size(); ++s)
      for (int j = 0; j < e.sigs[s].spr; ++j) {
        const auto v = static_cast<std::uint16_t>(static_cast<std::int16_t>(e.value(r, static_cast<int>(s), j)));
        h += static_cast<char>(v & 0xff);
        h += static_cast<char>(v >> 8);
      }
    if (e.onset) {
      char tal[32];
      std::snprintf(tal, sizeof tal, "+%g\x14\x14", e.onset(r));
      std::string t(tal);
      t.resize(30, '\0');
      h += t;
    }
  }
  return h;
}

std::filesystem::path write_edf(const TempDir& dir, const std::string& name, const Edf& e) {
  const auto p = dir / name;
  write_file_atomic(p, edf_bytes(e));
  return p;
}

// Runs save2gdf; a missing tool fails the test (it must not be skipped).
void save2gdf(const std::string& format, const std::filesystem::path& in, const std::filesystem::path& out) {
  const std::string cmd = "save2gdf -f=" + format + " '" + in.string() + "' '" + out.string() + "' >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  ASSERT_EQ(rc, 0) << cmd << " failed (exit " << rc << "); save2gdf comes with Debian's biosig-tools";
  ASSERT_TRUE(std::filesystem::exists(out)) << cmd;
}

}  // namespace

TEST(BiosigRate, RecoversRatesTheDurationFieldCannotHold) {
  EXPECT_EQ(recover_sampling_rate(1, "0.002778"), 360.0);   // save2gdf's MIT-BIH records
  EXPECT_EQ(recover_sampling_rate(1, "0.00278"), 360.0);
  EXPECT_EQ(recover_sampling_rate(1, "2.778e-3"), 360.0);
  EXPECT_EQ(recover_sampling_rate(2, "0.005556"), 360.0);
  EXPECT_EQ(recover_sampling_rate(10, "0.027778"), 360.0);
  EXPECT_EQ(recover_sampling_rate(1, "0.001953"), 512.0);   // 1/512 = 0.001953125
  // Exact headers stay as they are, floating-point noise aside.
  EXPECT_EQ(recover_sampling_rate(1000, "1"), 1000.0);
  EXPECT_EQ(recover_sampling_rate(1, "0.004"), 250.0);
  EXPECT_EQ(recover_sampling_rate(3, "0.3"), 10.0);
  EXPECT_EQ(recover_sampling_rate(7, "0.7"), 10.0);
  EXPECT_EQ(recover_sampling_rate(36, "0.1"), 360.0);
  EXPECT_EQ(recover_sampling_rate(5, "2"), 2.5);
  // Too coarse to pick one rate: the header's rate.
  EXPECT_DOUBLE_EQ(recover_sampling_rate(1, "0.0027"), 1 / 0.0027);
  EXPECT_EQ(recover_sampling_rate(0, "1"), 0.0);
  EXPECT_TRUE(std::isnan(recover_sampling_rate(1, "0")));
  EXPECT_TRUE(std::isnan(recover_sampling_rate(1, "-1")));
  EXPECT_TRUE(std::isnan(recover_sampling_rate(1, "abc")));
}

TEST(BiosigFiles, RecognisedByExtension) {
  for (const char* f : {"a.edf", "b.EDF", "c.bdf", "d.gdf", "e.rec", "f.scp", "/x/y/z.Edf"})
    EXPECT_TRUE(is_biosig_file(f)) << f;
  for (const char* f : {"100", "100.hea", "100.dat", "x.csv", "edf", "a.edf.gz"}) EXPECT_FALSE(is_biosig_file(f)) << f;
}

TEST(BiosigEdf, ConvertsVoltsMillivoltsAndMicrovoltsToMillivolts) {
  TempDir dir;
  Edf e;
  e.sigs = {Sig{" ECG I ", "mV", "-32.768", "32.767"}, Sig{"ECG II", "uV", "-32768", "32767"},
            Sig{"ECG III", "V", "-0.01", "0.01", "-10000", "10000"}, Sig{"Temp", "degC", "-32768", "32767"}};
  const auto r = read_biosig_record(write_edf(dir, "units.edf", e));
  EXPECT_EQ(r.format, "EDF");
  EXPECT_EQ(r.start_time, "2020-01-01T10:00:00");
  EXPECT_EQ(r.num_records, 5u);
  EXPECT_FALSE(r.num_records_derived);
  const Recording& rec = r.recording;
  EXPECT_EQ(rec.name, "units");
  EXPECT_EQ(rec.fs, 10.0);
  EXPECT_EQ(rec.leads, (std::vector<std::string>{"ECG I", "ECG II", "ECG III", "Temp"}));
  EXPECT_EQ(rec.units, (std::vector<std::string>{"mV", "mV", "mV", "degC"}));
  ASSERT_EQ(rec.num_samples(), 50u);
  for (std::size_t t = 0; t < 50; ++t) {
    EXPECT_NEAR(rec.samples[0][t], t * 1e-3, 1e-12);        // 1 digit = 1 uV
    EXPECT_NEAR(rec.samples[1][t], 2.0 * t * 1e-3, 1e-12);  // 1 digit = 1 uV
    EXPECT_NEAR(rec.samples[2][t], 3.0 * t * 1e-3, 1e-12);  // 1 digit = 1 uV
    EXPECT_NEAR(rec.samples[3][t], 4.0 * t, 1e-9);          // not a voltage: as written
  }
  ASSERT_EQ(r.segments.size(), 1u);
  EXPECT_EQ(r.segments[0].num_samples, 50u);
  EXPECT_EQ(r.signals[3].unit, "degC");
  EXPECT_TRUE(r.signals[3].in_recording);
}

TEST(BiosigEdf, DiscontinuousFileIsRefusedWithItsGapsOrReadAsSegments) {
  TempDir dir;
  Edf e;
  e.reserved = "EDF+D";
  e.onset = [](int r) { return r < 2 ? r : r + 10.5; };  // records 0-1 at 0-2 s, 2-4 at 12.5-15.5 s
  const auto p = write_edf(dir, "d.edf", e);
  expect_throw_with<UnsupportedError>([&] { read_biosig(p); }, "d.edf: EDF+D file with 1 gap(s)");
  expect_throw_with<UnsupportedError>([&] { read_biosig(p); }, "at 2 s for 10.5 s");
  BiosigOptions o;
  o.allow_discontinuous = true;
  const auto r = read_biosig_record(p, o);
  EXPECT_EQ(r.format, "EDF+D");
  ASSERT_EQ(r.segments.size(), 2u);
  EXPECT_EQ(r.segments[0].first_sample, 0u);
  EXPECT_EQ(r.segments[0].num_samples, 20u);
  EXPECT_NEAR(r.segments[0].onset_s, 0.0, 1e-3);
  EXPECT_EQ(r.segments[1].first_sample, 20u);
  EXPECT_EQ(r.segments[1].num_samples, 30u);
  EXPECT_NEAR(r.segments[1].onset_s, 12.5, 1e-3);
  EXPECT_EQ(r.recording.leads, (std::vector<std::string>{"ECG I"}));  // annotations left out
  EXPECT_EQ(r.recording.num_samples(), 50u);
  // Back to back after all: continuous.
  e.onset = [](int r) { return r; };
  const auto c = read_biosig_record(write_edf(dir, "c.edf", e));
  EXPECT_EQ(c.segments.size(), 1u);
  EXPECT_EQ(c.recording.num_samples(), 50u);
  // Records that overlap are malformed.
  e.onset = [](int r) { return r == 3 ? 2.5 : r; };
  expect_throw_with<FormatError>([&] { read_biosig(write_edf(dir, "o.edf", e)); }, "o.edf: data starting at sample 30");
}

TEST(BiosigEdf, EdfPlusContinuousLeavesTheAnnotationSignalOut) {
  TempDir dir;
  Edf e;
  e.reserved = "EDF+C";
  e.onset = [](int r) { return r; };
  const auto r = read_biosig_record(write_edf(dir, "c.edf", e));
  EXPECT_EQ(r.format, "EDF+C");
  EXPECT_EQ(r.signals.size(), 1u);
  EXPECT_EQ(r.recording.leads, (std::vector<std::string>{"ECG I"}));
  EXPECT_NEAR(r.recording.samples[0][49], 0.049, 1e-12);
}

// Fields that libbiosig's EDF+ parser would read past (found by fuzz_edf).
TEST(BiosigEdf, MalformedEdfPlusFieldsAreRefusedBeforeLibbiosigSeesThem) {
  TempDir dir;
  Edf e;
  e.reserved = "EDF+C";
  e.onset = [](int r) { return r; };
  std::string bytes = edf_bytes(e);
  std::string bad = bytes;
  bad.replace(8, 80, field("X F", 80));  // no birthdate
  write_file_atomic(dir / "p.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "p.edf"); }, "p.edf: EDF+ patient field 'X F'");
  bad = bytes;
  bad.replace(8, 80, field("X F 01_JAN_2000 X", 80));  // an 11-character birthdate without dashes
  write_file_atomic(dir / "b.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "b.edf"); }, "patient field");
  bad = bytes;
  bad.replace(88, 80, field("Startdate " + std::string(70, 'x'), 80));  // no space after the date
  write_file_atomic(dir / "r.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "r.edf"); }, "r.edf: EDF+ recording field");
  bad = bytes;
  bad.replace(88, 80, field("Startdate 01JAN2020 X", 80));
  write_file_atomic(dir / "d.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "d.edf"); }, "recording field");
  bad = bytes;
  bad.replace(8, 80, field(std::string("0 X \n", 5), 80));  // a line feed in the patient field (libbiosig's strlen(NULL))
  write_file_atomic(dir / "c.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "c.edf"); }, "c.edf: header byte 12 (in the patient field) is a control character (10)");
  // Each record's annotation bytes must end with a NUL.
  bad = bytes;
  const std::size_t record = 20 + 30, first_annotation = 3 * 256 + 20;
  bad.replace(first_annotation + 2 * record, 30, std::string(30, 'a'));
  write_file_atomic(dir / "a.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "a.edf"); }, "a.edf: data record 3: annotation signal");
  // EDF+D: a TAL after the record's time keeping must have a text.
  e.reserved = "EDF+D";
  bad = edf_bytes(e);
  bad.replace(first_annotation + record, 30, std::string("+1\x14\x14\0+1.5\x14\x14\0", 12) + std::string(18, '\0'));
  write_file_atomic(dir / "t.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "t.edf"); }, "t.edf: data record 2: annotation without a text");
  // Valid EDF+ fields read.
  bytes.replace(8, 80, field("MCH-0234567 F 02-MAY-1951 Haagse_Harry", 80));
  bytes.replace(88, 80, field("Startdate 01-JAN-2020 EMG561 BK/JOP Sony. MNC R Median Nerve.", 80));
  write_file_atomic(dir / "ok.edf", bytes);
  EXPECT_EQ(read_biosig(dir / "ok.edf").num_samples(), 50u);
}

TEST(BiosigEdf, DegenerateScalingNamesTheSignal) {
  TempDir dir;
  Edf e;
  e.sigs = {Sig{}, Sig{"ECG II", "mV", "1", "1"}};
  expect_throw_with<FormatError>([&] { read_biosig(write_edf(dir, "p.edf", e)); },
                                 "p.edf: signal 2 ('ECG II'): physical minimum equals physical maximum");
  e.sigs = {Sig{"ECG II", "mV", "-1", "1", "100", "100"}};
  expect_throw_with<FormatError>([&] { read_biosig(write_edf(dir, "d.edf", e)); },
                                 "d.edf: signal 1 ('ECG II'): digital maximum (100) is not above digital minimum");
  e.sigs = {Sig{"ECG II", "mV", "-1", "1", "100", "-100"}};
  expect_throw_with<FormatError>([&] { read_biosig(write_edf(dir, "i.edf", e)); }, "digital maximum (-100)");
  // An inverted physical range is valid EDF (reversed polarity).
  e.sigs = {Sig{"ECG II", "mV", "32.767", "-32.768"}};
  const auto r = read_biosig(write_edf(dir, "n.edf", e));
  EXPECT_NEAR(r.samples[0][3], -0.003 - 0.001, 1e-12);
}

TEST(BiosigEdf, UnknownRecordCountIsTakenFromTheFileSize) {
  TempDir dir;
  Edf e;
  e.nrec_field = "-1";
  const auto p = write_edf(dir, "u.edf", e);
  const auto r = read_biosig_record(p);
  EXPECT_TRUE(r.num_records_derived);
  EXPECT_EQ(r.num_records, 5u);
  EXPECT_EQ(r.recording.num_samples(), 50u);
  EXPECT_TRUE(r.warnings.empty());
  // A record cut short while recording: whole records only, with a warning.
  auto bytes = read_file_bytes(p);
  bytes.resize(bytes.size() - 7);
  write_file_atomic(p, bytes);
  const auto s = read_biosig_record(p);
  EXPECT_EQ(s.num_records, 4u);
  EXPECT_EQ(s.recording.num_samples(), 40u);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("incomplete"), std::string::npos);
}

TEST(BiosigEdf, ZeroRecordDurationIsAnErrorUnlessThereAreNoSamples) {
  TempDir dir;
  Edf e;
  e.duration = std::string(1, '0');  // (not = "0": a GCC 12 -Wrestrict false positive at -O3)
  expect_throw_with<FormatError>([&] { read_biosig(write_edf(dir, "z.edf", e)); },
                                 "z.edf: data record duration '0' is not a positive number");
  e.nrec = 0;
  const auto r = read_biosig_record(write_edf(dir, "e.edf", e));
  EXPECT_EQ(r.recording.num_samples(), 0u);
  EXPECT_EQ(r.recording.leads.size(), 1u);
  e.nrec = 5;
  e.duration = "abc";
  expect_throw_with<FormatError>([&] { read_biosig(write_edf(dir, "a.edf", e)); }, "duration 'abc'");
}

TEST(BiosigEdf, SignalsAtOtherRatesKeepTheirOwnRate) {
  TempDir dir;
  Edf e;
  e.sigs = {Sig{"ECG", "mV", "-32.768", "32.767", "-32768", "32767", 10}, Sig{"Resp", "mV", "-32.768", "32.767",
            "-32768", "32767", 4}, Sig{"SpO2", "%", "-32768", "32767", "-32768", "32767", 20}};
  const auto r = read_biosig_record(write_edf(dir, "r.edf", e));
  // The fastest voltage signal sets fs, even with a faster non-voltage one.
  EXPECT_EQ(r.recording.fs, 10.0);
  EXPECT_EQ(r.recording.leads, (std::vector<std::string>{"ECG"}));
  ASSERT_EQ(r.recording.num_samples(), 50u);
  ASSERT_EQ(r.signals.size(), 3u);
  EXPECT_EQ(r.signals[1].fs, 4.0);
  EXPECT_FALSE(r.signals[1].in_recording);
  ASSERT_EQ(r.signals[1].samples.size(), 20u);
  EXPECT_EQ(r.signals[2].fs, 20.0);
  EXPECT_EQ(r.signals[2].unit, "%");
  ASSERT_EQ(r.signals[2].samples.size(), 100u);
  for (int rec = 0; rec < 5; ++rec) {
    for (int j = 0; j < 10; ++j) EXPECT_NEAR(r.recording.samples[0][rec * 10 + j], (rec * 10 + j) * 1e-3, 1e-12);
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(r.signals[1].samples[rec * 4 + j], 2 * (rec * 10 + j) * 1e-3, 1e-12);
    for (int j = 0; j < 20; ++j) EXPECT_NEAR(r.signals[2].samples[rec * 20 + j], 3.0 * (rec * 10 + j), 1e-9);
  }
  EXPECT_TRUE(r.signals[0].samples.empty());
}

TEST(BiosigEdf, BadFilesGiveTypedErrorsNamingTheFile) {
  TempDir dir;
  const auto good = edf_bytes(Edf{});
  write_file_atomic(dir / "t.edf", good.substr(0, good.size() - 7));
  expect_throw_with<FormatError>([&] { read_biosig(dir / "t.edf"); }, "t.edf: truncated: 5 data records of 20 bytes");
  write_file_atomic(dir / "h.edf", good.substr(0, 300));
  expect_throw_with<FormatError>([&] { read_biosig(dir / "h.edf"); }, "h.edf: number of signals");
  write_file_atomic(dir / "s.edf", good.substr(0, 100));
  expect_throw_with<FormatError>([&] { read_biosig(dir / "s.edf"); }, "s.edf: truncated header");
  write_file_atomic(dir / "e.edf", std::string());
  expect_throw_with<FormatError>([&] { read_biosig(dir / "e.edf"); }, "e.edf: empty file");
  write_file_atomic(dir / "x.edf", std::string("this is not an EDF file at all, just some text\n"));
  expect_throw_with<FormatError>([&] { read_biosig(dir / "x.edf"); }, "x.edf: not an EDF or BDF file");
  expect_throw_with<IoError>([&] { read_biosig(dir / "missing.edf"); }, "missing.edf: no such file");
  expect_throw_with<IoError>([&] { read_biosig(dir.path()); }, "not a regular file");
  std::string bad = good;
  bad.replace(184, 8, "999     ");
  write_file_atomic(dir / "b.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "b.edf"); }, "b.edf: header size '999'");
  bad = good;
  bad.replace(252, 4, "x   ");
  write_file_atomic(dir / "n.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "n.edf"); }, "number of signals 'x'");
  bad = good;
  bad.replace(256 + 216, 8, "-3      ");
  write_file_atomic(dir / "r.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "r.edf"); }, "signal 1: samples per record '-3'");
  // libbiosig would take this for its "alpha" format, whose reader crashes on it (found by fuzz_edf).
  bad = good;
  bad.replace(40, 19, "ALPHA-TRACE-MEDICAL");
  write_file_atomic(dir / "g.edf", bad);
  expect_throw_with<FormatError>([&] { read_biosig(dir / "g.edf"); }, "g.edf: header holds another format's signature");
  std::string scp(64, '\0');
  scp.replace(16, 6, "SCPECG");
  write_file_atomic(dir / "a.scp", scp);
  expect_throw_with<UnsupportedError>([&] { read_biosig(dir / "a.scp"); }, "a.scp: SCP-ECG is not supported");
}

// The largest difference between two leads, sample by sample.
double worst_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t t = 0; t < a.size() && t < b.size(); ++t) worst = std::max(worst, std::abs(a[t] - b[t]));
  return worst;
}

// save2gdf writes EDF with one sample per data record and the duration
// "0.002778": heartwave must still read 360 Hz, and the samples within the
// conversion's quantisation of the WFDB original (save2gdf rounds down, so
// one step of the EDF's digital scale, not half).
TEST(BiosigMitBih, Save2gdfEdfMatchesTheWfdbRecord) {
  TempDir dir;
  for (const char* name : {"100", "208"}) {
    const auto edf = dir / (std::string(name) + ".edf");
    save2gdf("EDF", mitdb_dir() / (std::string(name) + ".hea"), edf);
    const Recording w = to_recording(read_record(mitdb_dir() / name));
    const BiosigRecording b = read_biosig_record(edf);
    EXPECT_EQ(b.format, "EDF+C");
    EXPECT_EQ(b.recording.fs, 360.0) << name;
    EXPECT_NEAR(b.signals[0].header_fs, 359.97, 0.01);  // what the header says
    EXPECT_EQ(b.recording.leads, w.leads) << name;
    EXPECT_EQ(b.recording.units, (std::vector<std::string>{"mV", "mV"}));
    ASSERT_EQ(b.recording.samples.size(), w.samples.size());
    for (std::size_t l = 0; l < w.samples.size(); ++l) {
      const BiosigSignal& s = b.signals[l];
      const double step = (s.physical_max - s.physical_min) / (s.digital_max - s.digital_min);
      ASSERT_EQ(b.recording.samples[l].size(), w.samples[l].size()) << name;
      EXPECT_LE(worst_difference(b.recording.samples[l], w.samples[l]), step + 1e-9) << name << " lead " << l;
    }
  }
}

// BDF keeps the ADC values (to save2gdf's rounding down: one ADC step).
// GDF, whichever way save2gdf writes it, is refused.
TEST(BiosigMitBih, Save2gdfBdfMatchesTheWfdbRecordAndGdfIsRefused) {
  TempDir dir;
  const Recording w = to_recording(read_record(mitdb_dir() / "100"));
  save2gdf("BDF", mitdb_dir() / "100.hea", dir / "100.bdf");
  const BiosigRecording b = read_biosig_record(dir / "100.bdf");
  EXPECT_EQ(b.format, "BDF+C");
  EXPECT_EQ(b.recording.fs, 360.0);
  EXPECT_EQ(b.recording.leads, w.leads);
  ASSERT_EQ(b.recording.samples.size(), 2u);
  for (std::size_t l = 0; l < 2; ++l) {
    ASSERT_EQ(b.recording.samples[l].size(), w.samples[l].size());
    EXPECT_LE(worst_difference(b.recording.samples[l], w.samples[l]), 0.005 + 1e-9) << "lead " << l;
  }
  save2gdf("GDF", mitdb_dir() / "100.hea", dir / "100.gdf");
  expect_throw_with<UnsupportedError>([&] { read_biosig(dir / "100.gdf"); }, "100.gdf: GDF is not supported");
}
