// `heartwave ec57`, run as the real binary: the gross line and the bxb
// tables for records of the EC57 reference folder, and its error messages.
#include <gtest/gtest.h>

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

#include <nlohmann/json.hpp>

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
