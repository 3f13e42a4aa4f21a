// `heartwave stream`, run as the real binary: JSON lines (beats, episodes,
// an end line with the build), the same events for any block sizes and
// from standard input (int16 and float32) as from the record file, and the
// error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/io/wfdb_record.hpp"
#include "run_cli.hpp"
#include "support.hpp"

using heartwave::test::TempDir;
using nlohmann::json;

namespace {

heartwave::test::CliResult run(const std::string& args) { return heartwave::test::run_cli(args); }

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(json::parse(l));
  return out;
}

// The events without the end line (whose source differs).
std::vector<json> events(const std::vector<json>& all) { return std::vector<json>(all.begin(), all.end() - 1); }

}  // namespace

TEST(CliStream, WritesBeatsEpisodesAndAnEndLine) {
  const std::string rec = (heartwave::test::mitdb_dir() / "201").string();
  const auto r = run("stream --input " + rec + " --random-blocks --seed 4");
  ASSERT_EQ(r.status, 0) << r.out.substr(0, 2000);
  const auto all = json_lines(r.out);
  ASSERT_GT(all.size(), 3000u);
  const json& end = all.back();
  EXPECT_EQ(end["type"], "end");
  EXPECT_FALSE(end["build"]["commit"].get<std::string>().empty());
  EXPECT_EQ(end["samples"].get<std::int64_t>(), 650000);
  std::int64_t prov = 0, fin = 0, eps = 0, af = 0;
  for (const json& j : events(all)) {
    if (j["type"] == "beat") {
      const bool final = j["stage"] == "final";
      (final ? fin : prov) += 1;
      const double wait = (j["emitted_at"].get<double>() - j["sample"].get<double>()) / 360.0;
      if (final) EXPECT_LE(wait, 60.0 + 1e-9);
      else EXPECT_EQ(j["late"].get<bool>(), wait > 1.0 + 1e-9);
      EXPECT_TRUE(j["proba"].is_array() || j["proba"].is_null());
    } else {
      ASSERT_EQ(j["type"], "episode") << j.dump();
      ++eps;
      af += j["episode"] == "AFIB";
      EXPECT_GE(j["emitted_at"].get<std::int64_t>(), j["end"].get<std::int64_t>());
    }
  }
  EXPECT_EQ(prov, end["provisional"].get<std::int64_t>());
  EXPECT_EQ(fin, end["final"].get<std::int64_t>());
  EXPECT_EQ(eps, end["episodes"].get<std::int64_t>());
  EXPECT_GT(fin, 1800);
  EXPECT_GE(af, 1) << "record 201 has atrial fibrillation";
  // The same events in other block sizes; only final events with --final-only.
  const auto fixed = run("stream --input " + rec + " --block 1000");
  ASSERT_EQ(fixed.status, 0);
  EXPECT_EQ(events(json_lines(fixed.out)), events(all));
  const auto finals = run("stream --input " + rec + " --final-only --no-episodes");
  ASSERT_EQ(finals.status, 0);
  for (const json& j : events(json_lines(finals.out))) EXPECT_EQ(j["stage"], "final");
}

// Record 100 written to standard input as interleaved float32 mV and as
// int16 ADC units (gain 200): the events the record file gives.
TEST(CliStream, StandardInputGivesTheEventsOfTheRecordFile) {
  const auto rec = heartwave::test::mitdb_dir() / "100";
  const heartwave::Recording r = heartwave::to_recording(heartwave::read_record(rec));
  TempDir dir;
  {
    std::ofstream f32(dir / "100.f32", std::ios::binary), i16(dir / "100.i16", std::ios::binary);
    for (std::size_t t = 0; t < r.num_samples(); ++t)
      for (std::size_t l = 0; l < 2; ++l) {
        const float v = static_cast<float>(r.samples[l][t]);
        f32.write(reinterpret_cast<const char*>(&v), 4);
        const auto a = static_cast<std::int16_t>(std::lround(r.samples[l][t] * 200));
        const unsigned char b[2] = {static_cast<unsigned char>(a & 0xff), static_cast<unsigned char>((a >> 8) & 0xff)};
        i16.write(reinterpret_cast<const char*>(b), 2);
      }
  }
  const auto file = run("stream --input " + rec.string() + " --final-only");
  ASSERT_EQ(file.status, 0) << file.out.substr(0, 500);
  const auto want = events(json_lines(file.out));
  ASSERT_GT(want.size(), 2000u);
  const auto f = run("stream --fs 360 --leads 2 --lead-names MLII,V5 --final-only < " + (dir / "100.f32").string());
  ASSERT_EQ(f.status, 0) << f.out.substr(0, 500);
  EXPECT_EQ(events(json_lines(f.out)), want);
  const auto i = run("stream --format i16 --fs 360 --lead-names MLII,V5 --final-only < " + (dir / "100.i16").string());
  ASSERT_EQ(i.status, 0) << i.out.substr(0, 500);
  EXPECT_EQ(events(json_lines(i.out)), want);
  EXPECT_EQ(json_lines(i.out).back()["source"], "stdin");
}

TEST(CliStream, ErrorsNameWhatIsWrong) {
  TempDir dir;
  {
    std::ofstream odd(dir / "odd.bin", std::ios::binary);
    odd << "abc";
  }
  const auto nofs = run("stream < " + (dir / "odd.bin").string());
  EXPECT_NE(nofs.status, 0);
  EXPECT_NE(nofs.out.find("--fs"), std::string::npos) << nofs.out;
  const auto odd = run("stream --format i16 --fs 360 < " + (dir / "odd.bin").string());
  EXPECT_NE(odd.status, 0);
  EXPECT_NE(odd.out.find("odd number of bytes"), std::string::npos) << odd.out;
  const auto frame = run("stream --format f32 --fs 360 --leads 2 < " + (dir / "odd.bin").string());
  EXPECT_NE(frame.status, 0);
  EXPECT_NE(frame.out.find("whole frame"), std::string::npos) << frame.out;
  const auto rate = run("stream --fs 250 < " + (dir / "odd.bin").string());
  EXPECT_NE(rate.status, 0);
  EXPECT_NE(rate.out.find("360"), std::string::npos) << rate.out;
  const std::string rec = (heartwave::test::mitdb_dir() / "100").string();
  const auto delay = run("stream --input " + rec + " --final-delay 700");
  EXPECT_NE(delay.status, 0);
  EXPECT_NE(delay.out.find("--final-delay"), std::string::npos) << delay.out;
  const auto lead = run("stream --input " + rec + " --lead V2");
  EXPECT_NE(lead.status, 0);
  EXPECT_NE(lead.out.find("V2"), std::string::npos) << lead.out;
  const auto missing = run("stream --input " + (dir / "nope").string());
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.out.find("nope"), std::string::npos) << missing.out;
}
