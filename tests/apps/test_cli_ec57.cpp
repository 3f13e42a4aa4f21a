// `heartwave ec57`, run as the real binary: the gross line and the bxb
// tables for records of the EC57 reference folder, and its error messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/io/wfdb_annotation.hpp"
#include "run_cli.hpp"
#include "support.hpp"

namespace {

using Output = heartwave::test::CliResult;
Output run_heartwave(const std::string& args) { return heartwave::test::run_cli(args); }

std::filesystem::path ec57_reference() {
  const std::filesystem::path p = std::filesystem::path(HEARTWAVE_SOURCE_DIR) / ".." / "shared" / "ec57-reference";
  if (!std::filesystem::exists(p / "annotations"))
    throw std::runtime_error("EC57 reference outputs not found at " + p.string() + "; this test needs them");
  return p;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::string last_line(const std::string& text) {
  const std::size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  const std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
}

// The first line of bxb's table and the lines of `records`, from a reference file.
std::string expected_lines(const std::filesystem::path& file, std::size_t header_lines, const std::set<std::string>& records) {
  std::istringstream in(slurp(file));
  std::string out, line;
  for (std::size_t n = 0; std::getline(in, line); ++n) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (n < header_lines || records.count(first)) out += line + "\n";
  }
  return out;
}

}  // namespace

TEST(CliEc57, GrossLineAndBxbTables) {
  const auto db = heartwave::test::mitdb_dir();
  const auto ref = ec57_reference();
  heartwave::test::TempDir tmp;
  const auto r = run_heartwave("ec57 --ref-dir " + db.string() + " --test-dir " + (ref / "annotations").string() +
                               " --test-ann pert --records 100,101 --learning-period 0 --l1 " + (tmp / "l1").string() +
                               " --l2 " + (tmp / "l2").string() + " --json " + (tmp / "ec57.json").string());
  ASSERT_EQ(r.status, 0) << r.out;
  // Summed by hand from the two records' lines of bxb.L1 (pert, whole record).
  EXPECT_EQ(last_line(r.out),
            "gross QRS_Se=98.70 QRS_PP=99.05 VEB_Se=0.00 VEB_PP=0.00 VEB_FPR=1.674 SVEB_Se=97.22 SVEB_PP=42.68")
      << r.out;
  EXPECT_NE(r.out.find("\nSummary of results from 2 records\n"), std::string::npos) << r.out;
  const auto expected = ref / "expected" / "pert-whole-record";
  EXPECT_EQ(slurp(tmp / "l1"), expected_lines(expected / "bxb.L1", 1, {"100", "101"}));
  EXPECT_EQ(slurp(tmp / "l2"), expected_lines(expected / "bxb.L2", 2, {"100", "101"}));
  EXPECT_NE(r.out.find(expected_lines(expected / "bxb.L1", 1, {"100", "101"})), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(slurp(tmp / "ec57.json"));
  ASSERT_EQ(j["records"].size(), 2u);
  EXPECT_EQ(j["records"][1]["record"], "101");
  EXPECT_EQ(j["sum"]["Nn'"], 3940);
  EXPECT_TRUE(j.contains("build"));

  // A file of record names; the default learning period (5 minutes).
  {
    std::ofstream f(tmp / "records.txt");
    f << "# two records\n100\n\n101\n";
  }
  const auto five = run_heartwave("ec57 --ref-dir " + db.string() + " --test-dir " + (ref / "annotations").string() +
                                  " --test-ann qrs --records " + (tmp / "records.txt").string());
  ASSERT_EQ(five.status, 0) << five.out;
  EXPECT_NE(five.out.find(expected_lines(ref / "expected" / "qrs-from-5min" / "bxb.L1", 0, {"100", "101"})),
            std::string::npos)
      << five.out;
  EXPECT_EQ(last_line(five.out).rfind("gross QRS_Se=", 0), 0u) << five.out;
}

TEST(CliEc57, ErrorsAreClear) {
  const auto db = heartwave::test::mitdb_dir();
  const auto ann = (ec57_reference() / "annotations").string();
  const std::string base = "ec57 --ref-dir " + db.string() + " --test-dir " + ann;
  // The test annotator has no file for the record.
  auto r = run_heartwave(base + " --test-ann nope --records 100");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("test annotation file"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("100.nope"), std::string::npos) << r.out;
  // A record the reference folder does not have.
  r = run_heartwave(base + " --test-ann qrs --records 100,999");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("999.hea"), std::string::npos) << r.out;
  // Bad windows and learning periods.
  for (const char* w : {"0", "-0.1", "20"}) {
    r = run_heartwave(base + " --test-ann qrs --records 100 --window " + std::string(w));
    EXPECT_EQ(r.status, 8) << w << ": " << r.out;
    EXPECT_NE(r.out.find("--window"), std::string::npos) << r.out;
  }
  r = run_heartwave(base + " --test-ann qrs --records 100 --window abc");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.status, -1);
  EXPECT_NE(r.out.find("--window"), std::string::npos) << r.out;
  r = run_heartwave(base + " --test-ann qrs --records 100 --learning-period -5");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("--learning-period"), std::string::npos) << r.out;
  // A learning period past the record's end.
  r = run_heartwave(base + " --test-ann qrs --records 100 --learning-period 4000");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("record 100"), std::string::npos) << r.out;
  // --test-ann is required.
  r = run_heartwave(base + " --records 100");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("--test-ann"), std::string::npos) << r.out;
}

// --runs and --episodes: MIT-BIH's reference against itself scores 100% in
// every category it has (201 and 203 have AF episodes, 203 V runs of every
// length, 201 SVE couplets and short runs).
TEST(CliEc57, RunsAndEpisodesOfTheReferenceAgainstItself) {
  const auto db = heartwave::test::mitdb_dir().string();
  heartwave::test::TempDir tmp;
  const auto r = run_heartwave("ec57 --ref-dir " + db + " --test-dir " + db + " --test-ann atr --records 119,201,203 " +
                               "--runs --episodes --json " + (tmp / "both.json").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\nruns VC_Se=100.00 VC_PP=100.00 VS_Se=100.00 VS_PP=100.00 VL_Se=100.00 VL_PP=100.00 "
                       "SC_Se=100.00 SC_PP=100.00 SS_Se=100.00 SS_PP=100.00 SL_Se=- SL_PP=-\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(last_line(r.out), "episodes ESe=100.00 EPP=100.00 DSe=100.00 DPP=100.00") << r.out;
  EXPECT_EQ(r.out.find("Summary of results"), std::string::npos) << r.out;  // no bxb table
  const auto j = nlohmann::json::parse(slurp(tmp / "both.json"));
  ASSERT_EQ(j["runs"]["records"].size(), 3u);
  for (const auto& rec : j["runs"]["records"])
    for (const char* type : {"ventricular", "supraventricular"})
      for (const char* len : {"couplet", "short", "long"}) {
        const auto& c = rec[type][len];
        EXPECT_EQ(c["detected"], c["reference"]) << rec["record"] << " " << type << " " << len;
        EXPECT_EQ(c["confirmed"], c["test"]) << rec["record"] << " " << type << " " << len;
        EXPECT_EQ(c["reference"], c["test"]) << rec["record"] << " " << type << " " << len;
      }
  EXPECT_EQ(j["runs"]["gross"]["ventricular"]["long"]["reference"], 2);
  EXPECT_GT(j["runs"]["gross"]["supraventricular"]["couplet"]["reference"].get<int>(), 0);
  const auto& eps = j["episodes"]["records"];
  ASSERT_EQ(eps.size(), 3u);
  EXPECT_EQ(eps[0]["reference"], 0);
  EXPECT_EQ(eps[1]["reference"], 3);  // 201 from 5:00
  EXPECT_GT(eps[2]["reference"].get<int>(), 0);
  EXPECT_EQ(j["episodes"]["gross"]["duration_se"], 100.0);

  // --runs alone: the run table and line only; the whole record.
  const auto runs = run_heartwave("ec57 --ref-dir " + db + " --test-dir " + db +
                                  " --test-ann atr --records 203 --runs --learning-period 0");
  ASSERT_EQ(runs.status, 0) << runs.out;
  EXPECT_EQ(last_line(runs.out).rfind("runs VC_Se=100.00", 0), 0u) << runs.out;
  EXPECT_EQ(runs.out.find("episodes"), std::string::npos) << runs.out;
  EXPECT_NE(runs.out.find("whole records"), std::string::npos) << runs.out;
}

// A test annotator written here with known differences: in 201 and 203
// every V beat (V, E, r) called N, and in 201 the AF episode at 171815 not
// seen (its (AFIB made (N) and an extra one marked over 500000..536000.
TEST(CliEc57, RunsAndEpisodesWithKnownDifferences) {
  const auto db = heartwave::test::mitdb_dir();
  heartwave::test::TempDir tmp;
  for (const std::string rec : {"201", "203"}) {
    std::vector<heartwave::Annotation> anns = heartwave::read_annotations(db / (rec + ".atr"));
    std::vector<heartwave::Annotation> out;
    for (heartwave::Annotation a : anns) {
      if (a.code == 5 || a.code == 10 || a.code == 41) a.code = 1;
      if (rec == "201" && a.code == 28 && a.time == 171815) a.aux = std::string("(N\0", 3);
      out.push_back(a);
    }
    if (rec == "201") {
      heartwave::Annotation on, off;
      on.time = 500000;
      on.code = off.code = 28;
      on.aux = std::string("(AFIB\0", 6);
      off.time = 536000;
      off.aux = std::string("(N\0", 3);
      out.push_back(on);
      out.push_back(off);
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.time < y.time; });
    heartwave::write_annotations(tmp / (rec + ".hw"), out);
  }
  const auto r = run_heartwave("ec57 --ref-dir " + db.string() + " --test-dir " + tmp.path().string() +
                               " --test-ann hw --records 201,203 --runs --episodes --json " + (tmp / "k.json").string());
  ASSERT_EQ(r.status, 0) << r.out;
  // 201 from 5:00: reference [108000,136226) [171815,185068) [574742,643411)
  // (110148 samples); test [108000,136226) [500000,536000) [574742,643411)
  // (132895); overlap 96895.
  EXPECT_NE(r.out.find("\n201        3    2    3    2  66.67  66.67  87.97  72.91       306.0       369.2       269.2\n"),
            std::string::npos)
      << r.out;
  // No test V beat at all: every V run missed, no test V run to score.
  EXPECT_NE(r.out.find("runs VC_Se=0.00 VC_PP=- VS_Se=0.00 VS_PP=- VL_Se=0.00 VL_PP=- SC_Se=100.00 SC_PP=100.00 "
                       "SS_Se=100.00 SS_PP=100.00 SL_Se=- SL_PP=-\n"),
            std::string::npos)
      << r.out;
  const auto j = nlohmann::json::parse(slurp(tmp / "k.json"));
  const auto& v203 = j["runs"]["records"][1]["ventricular"];
  EXPECT_EQ(j["runs"]["records"][1]["record"], "203");
  EXPECT_EQ(v203["couplet"]["reference"], 54);
  EXPECT_EQ(v203["short"]["reference"], 15);
  EXPECT_EQ(v203["long"]["reference"], 2);
  for (const char* len : {"couplet", "short", "long"}) {
    EXPECT_EQ(v203[len]["detected"], 0) << len;
    EXPECT_EQ(v203[len]["test"], 0) << len;
  }
  const auto& s201 = j["runs"]["records"][0]["supraventricular"]["couplet"];
  EXPECT_EQ(s201["reference"], 25);
  EXPECT_EQ(s201["detected"], 25);
  const auto& e201 = j["episodes"]["records"][0];
  EXPECT_EQ(e201["reference"], 3);
  EXPECT_EQ(e201["detected"], 2);
  EXPECT_EQ(e201["test"], 3);
  EXPECT_EQ(e201["confirmed"], 2);
  EXPECT_DOUBLE_EQ(e201["overlap_seconds"].get<double>(), 96895.0 / 360);
  EXPECT_DOUBLE_EQ(e201["test_seconds"].get<double>(), 132895.0 / 360);
  EXPECT_EQ(j["episodes"]["records"][1]["detected"], j["episodes"]["records"][1]["reference"]);  // 203 unchanged
}

TEST(CliEc57, RunsAndEpisodesErrors) {
  const auto db = heartwave::test::mitdb_dir().string();
  const std::string base = "ec57 --ref-dir " + db + " --test-dir " + db;
  for (const char* flag : {"--runs", "--episodes"}) {
    auto r = run_heartwave(base + " --test-ann nope --records 201 " + flag);
    EXPECT_EQ(r.status, 3) << flag << ": " << r.out;
    EXPECT_NE(r.out.find("test annotation file"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("201.nope"), std::string::npos) << r.out;
    r = run_heartwave(base + " --test-ann atr --records 201 --learning-period -1 " + flag);
    EXPECT_EQ(r.status, 8) << r.out;
    EXPECT_NE(r.out.find("--learning-period"), std::string::npos) << r.out;
    r = run_heartwave(base + " --test-ann atr --records 201 --l1 /tmp/x.l1 " + flag);
    EXPECT_EQ(r.status, 8) << r.out;
    EXPECT_NE(r.out.find("--l1"), std::string::npos) << r.out;
  }
  auto r = run_heartwave(base + " --test-ann atr --records 201 --episodes --episode-rhythms '(AFIB,,(AFL'");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("--episode-rhythms"), std::string::npos) << r.out;
  // Another rhythm set: 203's ventricular tachycardia.
  r = run_heartwave(base + " --test-ann atr --records 203 --episodes --episode-rhythms '(VT'");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("of (VT episodes"), std::string::npos) << r.out;
  EXPECT_EQ(last_line(r.out), "episodes ESe=100.00 EPP=100.00 DSe=100.00 DPP=100.00") << r.out;
}
