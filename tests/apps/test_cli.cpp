// Runs the real heartwave binary and checks exit codes and output.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sys/wait.h>

#include "support.hpp"

namespace {

struct Result {
  int status;
  std::string out;
};

Result run(const std::string& args) {
  const std::string cmd = std::string(HEARTWAVE_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

}  // namespace

TEST(Cli, BareCommandPrintsUsage) {
  const auto r = run("");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("data"), std::string::npos);
  EXPECT_NE(r.out.find("record"), std::string::npos);
  EXPECT_EQ(run("--version").out.substr(0, 5), "0.1.0");
}

TEST(Cli, RecordInfo) {
  const auto dir = heartwave::test::mitdb_dir();
  const auto r = run("record info 100 --data-dir " + dir.string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("360 Hz, 650000 samples"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MLII"), std::string::npos);
  EXPECT_NE(r.out.find("annotations 2274 in 100.atr, 2273 beats"), std::string::npos) << r.out;
  const auto j = run("record info 208 --json --data-dir " + dir.string());
  ASSERT_EQ(j.status, 0);
  EXPECT_NE(j.out.find("\"F\": 373"), std::string::npos) << j.out;
}

TEST(Cli, ErrorsMapToExitCodesAndNameTheFile) {
  heartwave::test::TempDir tmp;
  auto r = run("record info " + (tmp / "nothere").string());
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.out.find("nothere.hea"), std::string::npos) << r.out;
  {
    FILE* f = std::fopen((tmp / "bad.hea").c_str(), "w");
    std::fputs("bad 1 abc\n", f);
    std::fclose(f);
  }
  r = run("record info " + (tmp / "bad").string());
  EXPECT_EQ(r.status, 4);
  EXPECT_NE(r.out.find("bad.hea:1"), std::string::npos) << r.out;
  r = run("data build --protocol bogus --out x");
  EXPECT_NE(r.status, 0);
  r = run("data build --protocol seed");  // --out missing
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("--out"), std::string::npos);
  r = run("record info x.csv");  // CSV without --fs
  EXPECT_EQ(r.status, 8);
}

TEST(Cli, CsvRecordInfo) {
  heartwave::test::TempDir tmp;
  FILE* f = std::fopen((tmp / "e.csv").c_str(), "w");
  std::fputs("time,MLII,V1\n0,0.1,0.2\n1,0.3,0.4\n", f);
  std::fclose(f);
  const auto r = run("record info " + (tmp / "e.csv").string() + " --fs 250");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("250 Hz, 2 samples"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("V1"), std::string::npos);
}

TEST(Cli, DataBuildSubset) {
  heartwave::test::TempDir tmp;
  const auto r = run("data build --protocol seed --records 100,208 --smote-target 400 --data-dir " +
                     heartwave::test::mitdb_dir().string() + " --out " + (tmp / "ds").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("train+smote"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(tmp / "ds/manifest.json"));
}
