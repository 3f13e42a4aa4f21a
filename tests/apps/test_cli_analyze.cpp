// `heartwave analyze` and `heartwave evaluate --detect`, run as the real
// binary on MIT-BIH records: the outputs in each format, no reference
// annotations read, the same classes as `predict --record` at the same
// positions, WFDB / EDF / CSV / standard input giving the same beats, a
// folder in parallel, and the error messages.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "run_cli.hpp"
#include "support.hpp"

using heartwave::test::TempDir;

namespace {

using Output = heartwave::test::CliResult;
Output run(const std::string& args) { return heartwave::test::run_cli(args); }

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, ',');) out.push_back(f);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

// A folder holding only the signal files of `records` (no annotations).
void signals_only(const std::filesystem::path& dir, std::initializer_list<const char*> records) {
  std::filesystem::create_directories(dir);
  for (const char* r : records)
    for (const char* ext : {".hea", ".dat"})
      std::filesystem::create_symlink(heartwave::test::mitdb_dir() / (std::string(r) + ext), dir / (std::string(r) + ext));
}

std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST(CliAnalyze, WritesEachFormatWithoutReadingReferenceAnnotations) {
  TempDir tmp;
  signals_only(tmp / "in", {"100"});
  const Output o = run("analyze " + q(tmp / "in" / "100") + " --out " + q(tmp / "out") + " --format wfdb,csv,json");
  ASSERT_EQ(o.status, 0) << o.out;
  EXPECT_NE(o.out.find("100: "), std::string::npos) << o.out;
  const auto all = heartwave::read_annotations(tmp / "out" / "100.hw");
  // The beats, and the rhythm annotations among them (code 28, '+'): the first at the first beat.
  std::vector<heartwave::Annotation> anns, rhythm;
  for (const auto& a : all) (a.code == 28 ? rhythm : anns).push_back(a);
  ASSERT_FALSE(rhythm.empty());
  EXPECT_EQ(rhythm[0].time, anns.at(0).time);
  for (const auto& r : rhythm) EXPECT_EQ(r.aux.substr(0, 1), "(") << r.aux;
  // The Holter summary and the index page.
  const auto summary = nlohmann::json::parse(slurp(tmp / "out" / "100" / "summary.json"));
  EXPECT_EQ(summary["record"], "100");
  EXPECT_TRUE(summary["build"].contains("git_commit"));
  EXPECT_NE(slurp(tmp / "out" / "100" / "summary.html").find("Holter summary"), std::string::npos);
  EXPECT_NE(slurp(tmp / "out" / "index.html").find("100/summary.html"), std::string::npos);
  const auto csv = lines(slurp(tmp / "out" / "100.csv"));
  const auto json = nlohmann::json::parse(slurp(tmp / "out" / "100.json"));
  ASSERT_GT(anns.size(), 2200u);
  ASSERT_EQ(csv.size(), anns.size() + 1);
  EXPECT_EQ(csv[0], "record,sample,time,class,p_N,p_S,p_V,p_F,p_Q");
  ASSERT_EQ(json["beats"].size(), anns.size());
  EXPECT_TRUE(json["build"].contains("git_commit"));
  EXPECT_EQ(json["detector"], "hw");
  EXPECT_EQ(json["lead"], "MLII");
  std::size_t counted = 0;
  for (const auto& [cls, n] : json["counts"].items()) counted += n.get<std::size_t>();
  EXPECT_EQ(counted, anns.size());
  EXPECT_EQ(summary["beats"]["total"].get<std::size_t>(), anns.size());
  const std::map<int, std::string> codes = {{1, "N"}, {9, "S"}, {5, "V"}, {6, "F"}, {13, "Q"}};
  for (std::size_t i = 0; i < anns.size(); ++i) {
    ASSERT_TRUE(codes.count(anns[i].code)) << anns[i].code;
    const auto f = split(csv[i + 1]);
    ASSERT_EQ(f.size(), 9u) << csv[i + 1];
    EXPECT_EQ(std::stoll(f[1]), anns[i].time);
    EXPECT_EQ(f[3], codes.at(anns[i].code));
    EXPECT_EQ(json["beats"][i]["sample"].get<std::int64_t>(), anns[i].time);
    EXPECT_EQ(json["beats"][i]["class"], codes.at(anns[i].code));
  }
}

// One preprocessing path: predict --record at the positions analyze found
// gives every beat the same class and probabilities.
TEST(CliAnalyze, GivesTheClassesPredictGivesAtTheSamePositions) {
  TempDir tmp;
  signals_only(tmp / "in", {"208"});
  ASSERT_EQ(run("analyze " + q(tmp / "in" / "208") + " --out " + q(tmp / "out") + " --format wfdb,csv").status, 0);
  std::filesystem::copy_file(tmp / "out" / "208.hw", tmp / "in" / "208.hw");
  const Output p = run("predict --record " + q(tmp / "in" / "208") + " --annotator hw --out " + q(tmp / "pred.csv"));
  ASSERT_EQ(p.status, 0) << p.out;
  const auto analyzed = lines(slurp(tmp / "out" / "208.csv"));
  const auto predicted = lines(slurp(tmp / "pred.csv"));
  std::map<std::int64_t, std::vector<std::string>> by_sample;
  for (std::size_t i = 1; i < predicted.size(); ++i) {
    const auto f = split(predicted[i]);
    by_sample[std::stoll(f[1])] = f;
  }
  std::size_t compared = 0;
  for (std::size_t i = 1; i < analyzed.size(); ++i) {
    const auto a = split(analyzed[i]);
    const auto it = by_sample.find(std::stoll(a[1]));
    if (it == by_sample.end()) {
      EXPECT_EQ(a[3], "Q") << "only beats without a whole window are not classified: " << analyzed[i];
      continue;
    }
    const auto& f = it->second;
    EXPECT_EQ(a[3], f[3]) << analyzed[i];
    for (int c = 0; c < 5; ++c) EXPECT_EQ(a[4 + c], f[4 + c]) << analyzed[i];
    ++compared;
  }
  EXPECT_EQ(compared, predicted.size() - 1);
  EXPECT_GT(compared, 2900u);
}

TEST(CliAnalyze, EdfCsvAndStandardInputGiveTheBeatsOfTheWfdbRecord) {
  TempDir tmp;
  signals_only(tmp / "in", {"100"});
  ASSERT_EQ(run("analyze " + q(tmp / "in" / "100") + " --out " + q(tmp / "wfdb")).status, 0);
  // EDF written by an independent tool (biosig's save2gdf).
  const Output conv = run("--version >/dev/null; save2gdf -f=EDF " + q(heartwave::test::mitdb_dir() / "100.hea") + " " + q(tmp / "100.edf") +
                          " >/dev/null 2>&1; echo converted $?");
  ASSERT_NE(conv.out.find("converted 0"), std::string::npos) << "save2gdf (Debian biosig-tools) is needed: " << conv.out;
  const Output e = run("analyze " + q(tmp / "100.edf") + " --out " + q(tmp / "edf"));
  ASSERT_EQ(e.status, 0) << e.out;
  EXPECT_EQ(slurp(tmp / "edf" / "100.hw"), slurp(tmp / "wfdb" / "100.hw"));

  // The first 10 minutes as CSV (physical units), and the same on standard input.
  const auto rec = heartwave::to_recording(heartwave::read_record(tmp / "in" / "100"));
  std::string csv = "MLII,V5\n";
  const std::size_t n = 600 * 360;
  char line[64];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(line, sizeof line, "%.3f,%.3f\n", rec.samples[0][i], rec.samples[1][i]);
    csv += line;
  }
  { std::ofstream(tmp / "first.csv") << csv; }
  const Output c = run("analyze " + q(tmp / "first.csv") + " --fs 360 --out " + q(tmp / "csv"));
  ASSERT_EQ(c.status, 0) << c.out;
  const Output s = run("analyze - --fs 360 --out " + q(tmp / "stdin") + " < " + q(tmp / "first.csv"));
  ASSERT_EQ(s.status, 0) << s.out;
  const auto from_csv = heartwave::read_annotations(tmp / "csv" / "first.hw");
  EXPECT_EQ(heartwave::read_annotations(tmp / "stdin" / "stdin.hw"), from_csv);
  // The same beats as the whole record's over those 10 minutes (the last
  // second aside, cut by the end).
  std::vector<std::int64_t> whole, part;
  for (const auto& a : heartwave::read_annotations(tmp / "wfdb" / "100.hw"))
    if (a.time < static_cast<std::int64_t>(n - 360)) whole.push_back(a.time);
  for (const auto& a : from_csv)
    if (a.time < static_cast<std::int64_t>(n - 360)) part.push_back(a.time);
  EXPECT_EQ(part, whole);

  const Output no_fs = run("analyze " + q(tmp / "first.csv") + " --out " + q(tmp / "x"));
  EXPECT_EQ(no_fs.status, 8) << no_fs.out;
  EXPECT_NE(no_fs.out.find("--fs"), std::string::npos) << no_fs.out;
}

TEST(CliAnalyze, AFolderInParallelGivesTheFilesOfOneAtATime) {
  TempDir tmp;
  signals_only(tmp / "in", {"100", "119", "203"});
  const Output two = run("analyze " + q(tmp / "in") + " --threads 2 --out " + q(tmp / "two"));
  ASSERT_EQ(two.status, 0) << two.out;
  EXPECT_NE(two.out.find("3 of 3 recordings analysed"), std::string::npos) << two.out;
  ASSERT_EQ(run("analyze " + q(tmp / "in") + " --threads 1 --out " + q(tmp / "one")).status, 0);
  for (const char* r : {"100", "119", "203"}) {
    const std::string name = std::string(r) + ".hw";
    ASSERT_TRUE(std::filesystem::exists(tmp / "two" / name)) << name;
    EXPECT_EQ(slurp(tmp / "two" / name), slurp(tmp / "one" / name)) << name;
  }
}

TEST(CliAnalyze, ErrorsNameWhatIsWrong) {
  TempDir tmp;
  signals_only(tmp / "in", {"100"});
  const Output missing = run("analyze " + q(tmp / "in" / "999") + " --out " + q(tmp / "o"));
  EXPECT_EQ(missing.status, 3) << missing.out;
  EXPECT_NE(missing.out.find("999"), std::string::npos) << missing.out;
  const Output detector = run("analyze " + q(tmp / "in" / "100") + " --detector nope --out " + q(tmp / "o"));
  EXPECT_EQ(detector.status, 8) << detector.out;
  EXPECT_NE(detector.out.find("unknown QRS detector 'nope'"), std::string::npos) << detector.out;
  const Output lead = run("analyze " + q(tmp / "in" / "100") + " --lead aVR --out " + q(tmp / "o"));
  EXPECT_EQ(lead.status, 8) << lead.out;
  EXPECT_NE(lead.out.find("no lead named 'aVR'"), std::string::npos) << lead.out;
  const Output format = run("analyze " + q(tmp / "in" / "100") + " --format xml --out " + q(tmp / "o"));
  EXPECT_NE(format.status, 0) << format.out;
  // A folder with one bad record among good ones: the others are still written.
  { std::ofstream(tmp / "in" / "bad.hea") << "bad 1 360 100\nbad.dat 16 200 16 0 0 0 0 MLII\n"; }
  const Output partly = run("analyze " + q(tmp / "in") + " --out " + q(tmp / "p"));
  EXPECT_NE(partly.status, 0) << partly.out;
  EXPECT_NE(partly.out.find("bad"), std::string::npos) << partly.out;
  EXPECT_TRUE(std::filesystem::exists(tmp / "p" / "100.hw"));
}

TEST(CliEvaluate, DetectScoresTheWholeChainByEc57Rules) {
  TempDir tmp;
  const Output o = run("evaluate --records " + q(heartwave::test::mitdb_dir()) + " --detect --only 100,119 --out " + q(tmp / "e"));
  ASSERT_EQ(o.status, 0) << o.out;
  EXPECT_NE(o.out.find("whole record:           gross QRS_Se="), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("at the reference beat positions"), std::string::npos) << o.out;
  const auto j = nlohmann::json::parse(slurp(tmp / "e" / "ec57.json"));
  EXPECT_TRUE(j["build"].contains("git_commit"));
  EXPECT_EQ(j["whole_record"]["records"].size(), 2u);
  for (const char* f : {"100.hw", "119.hw", "sumstats-whole-record.txt", "bxb-whole-record.L1", "bxb-whole-record.L2"})
    EXPECT_TRUE(std::filesystem::exists(tmp / "e" / f)) << f;
  const Output bad = run("evaluate --detect --data x --out " + q(tmp / "f"));
  EXPECT_EQ(bad.status, 8) << bad.out;
}

// Record 201 holds atrial fibrillation: its annotation file carries (AFIB
// rhythm annotations, its summary an AF episode with a burden; with
// --no-rhythm-annotations and --no-summary only the beats are written.
TEST(CliAnalyze, WritesRhythmEpisodesAndTheSummaryOfAnAfRecord) {
  TempDir tmp;
  signals_only(tmp / "in", {"201"});
  const Output o = run("analyze " + q(tmp / "in" / "201") + " --out " + q(tmp / "out"));
  ASSERT_EQ(o.status, 0) << o.out;
  std::size_t afib = 0;
  for (const auto& a : heartwave::read_annotations(tmp / "out" / "201.hw"))
    if (a.code == 28 && a.aux.substr(0, 5) == "(AFIB") ++afib;
  EXPECT_GE(afib, 2u);
  const auto summary = nlohmann::json::parse(slurp(tmp / "out" / "201" / "summary.json"));
  EXPECT_TRUE(summary["af"]["present"].get<bool>());
  EXPECT_GT(summary["af"]["burden_percent"].get<double>(), 20.0);  // the reference: 605.8 s of 1805.6 s
  EXPECT_LT(summary["af"]["burden_percent"].get<double>(), 60.0);
  const Output plain = run("analyze " + q(tmp / "in" / "201") + " --out " + q(tmp / "plain") + " --no-rhythm-annotations --no-summary");
  ASSERT_EQ(plain.status, 0) << plain.out;
  for (const auto& a : heartwave::read_annotations(tmp / "plain" / "201.hw")) EXPECT_NE(a.code, 28);
  EXPECT_FALSE(std::filesystem::exists(tmp / "plain" / "201" / "summary.json"));
  EXPECT_FALSE(std::filesystem::exists(tmp / "plain" / "index.html"));
}
