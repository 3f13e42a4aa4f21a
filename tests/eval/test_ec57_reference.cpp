// heartwave's EC57 comparison against PhysioNet's bxb and sumstats (WFDB
// 10.7) on the 48 MIT-BIH records: for two test annotators (gqrs, and a
// perturbed copy of the reference exercising every cell) and two spans
// (whole record, and from 5:00), every line of bxb.L1 and bxb.L2 and every
// row of sumstats' output, both as numbers and as text. The reference
// outputs are in ../shared/ec57-reference (README.md there).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "heartwave/eval/ec57.hpp"
#include "support.hpp"

using namespace heartwave;

namespace {

std::filesystem::path reference_dir() {
  const std::filesystem::path p = std::filesystem::path(HEARTWAVE_SOURCE_DIR) / ".." / "shared" / "ec57-reference";
  if (!std::filesystem::exists(p / "expected") || !std::filesystem::exists(p / "annotations"))
    throw std::runtime_error("EC57 reference outputs not found at " + p.string() + "; this test needs them");
  return p;
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read " + path.string());
  std::vector<std::string> out;
  for (std::string line; std::getline(f, line);) out.push_back(line);
  return out;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> tokens(const std::string& line) {
  std::istringstream s(line);
  std::vector<std::string> out;
  for (std::string t; s >> t;) out.push_back(t);
  return out;
}

// A printed figure ("-" when undefined) against a computed one.
void expect_figure(const std::string& printed, const std::optional<double>& v, const std::string& what) {
  if (printed == "-") {
    EXPECT_FALSE(v.has_value()) << what << ": bxb prints -, heartwave " << *v;
  } else {
    ASSERT_TRUE(v.has_value()) << what << ": bxb prints " << printed << ", heartwave has none";
    EXPECT_LE(std::fabs(std::strtod(printed.c_str(), nullptr) - *v), 0.005 + 1e-9) << what;
  }
}

struct Case {
  const char* folder;
  const char* annotator;
  double start_s;
};

void check_case(const Case& c) {
  const auto ref_dir = test::mitdb_dir();
  const auto root = reference_dir();
  const auto expected = root / "expected" / c.folder;
  const std::vector<std::string> l1 = read_lines(expected / "bxb.L1");
  const std::vector<std::string> l2 = read_lines(expected / "bxb.L2");
  ASSERT_EQ(l1.size(), 49u);
  ASSERT_EQ(l2.size(), 50u);
  Ec57Options o;
  o.start_s = c.start_s;
  std::vector<Ec57Record> recs;
  for (std::size_t i = 1; i < l1.size(); ++i) {
    const std::vector<std::string> t1 = tokens(l1[i]);
    ASSERT_EQ(t1.size(), 27u) << l1[i];
    const std::string& name = t1[0];
    recs.push_back(ec57_compare_files(ref_dir, "atr", root / "annotations", c.annotator, name, o));
    const Ec57Record& r = recs.back();
    const std::string where = std::string(c.folder) + " record " + name;
    // L1: the 19 columns, the six figures and the RR error.
    const Ec57Columns cols = ec57_columns(r);
    for (int k = 0; k < kEc57Columns; ++k)
      EXPECT_EQ(std::to_string(cols[static_cast<std::size_t>(k)]), t1[static_cast<std::size_t>(k + 1)])
          << where << " column " << kEc57ColumnNames[static_cast<std::size_t>(k)];
    const Ec57Stats f = ec57_figures(r);
    expect_figure(t1[20], f.qrs_se, where + " Q Se");
    expect_figure(t1[21], f.qrs_ppv, where + " Q +P");
    expect_figure(t1[22], f.veb_se, where + " V Se");
    expect_figure(t1[23], f.veb_ppv, where + " V +P");
    expect_figure(t1[24], f.sveb_se, where + " S Se");
    expect_figure(t1[25], f.sveb_ppv, where + " S +P");
    expect_figure(t1[26], f.rr_error_ms, where + " RR err");
    EXPECT_EQ(ec57_l1_line(r), l1[i] + "\n") << where;
    // L2: missed in shutdown, the five percentages, the shutdown time and the reference totals.
    const std::vector<std::string> t2 = tokens(l2[i + 1]);
    ASSERT_EQ(t2.size(), 18u) << l2[i + 1];
    EXPECT_EQ(t2[0], name);
    const Ec57Shutdown s = ec57_shutdown(r);
    for (int k = 0; k < 5; ++k) {
      EXPECT_EQ(std::to_string(s.missed[static_cast<std::size_t>(k)]), t2[static_cast<std::size_t>(k + 1)]) << where << " L2 missed " << k;
      EXPECT_EQ(std::to_string(s.reference[static_cast<std::size_t>(k)]), t2[static_cast<std::size_t>(k + 13)]) << where << " L2 total " << k;
    }
    expect_figure(t2[6], s.beats, where + " % beats missed");
    expect_figure(t2[7], s.n, where + " % N missed");
    expect_figure(t2[8], s.s, where + " % S missed");
    expect_figure(t2[9], s.v, where + " % V missed");
    expect_figure(t2[10], s.f, where + " % F missed");
    EXPECT_EQ(std::to_string(s.seconds), t2[11]) << where;
    EXPECT_EQ(t2[12], "seconds");
    EXPECT_EQ(ec57_l2_line(r), l2[i + 1] + "\n") << where;
  }
  // The tables and sumstats' output, byte for byte.
  EXPECT_EQ(ec57_l1_table(recs), read_text(expected / "bxb.L1")) << c.folder;
  EXPECT_EQ(ec57_l2_table(recs), read_text(expected / "bxb.L2")) << c.folder;
  EXPECT_EQ(ec57_sumstats(recs), read_text(expected / "sumstats.txt")) << c.folder;
  // And sumstats' rows as numbers.
  const std::vector<std::string> sum = read_lines(expected / "sumstats.txt");
  ASSERT_EQ(sum.size(), 56u);
  const Ec57Summary s = ec57_summarize(recs);
  EXPECT_EQ(s.records, 48u);
  const std::vector<std::string> st = tokens(sum[50]), gr = tokens(sum[51]), av = tokens(sum[52]);
  ASSERT_EQ(st.size(), 20u);
  ASSERT_EQ(st[0], "Sum");
  for (int k = 0; k < kEc57Columns; ++k)
    EXPECT_EQ(std::to_string(s.sum[static_cast<std::size_t>(k)]), st[static_cast<std::size_t>(k + 1)]) << c.folder << " Sum " << k;
  ASSERT_EQ(gr.size(), 7u);
  ASSERT_EQ(gr[0], "Gross");
  expect_figure(gr[1], s.gross.qrs_se, "gross Q Se");
  expect_figure(gr[2], s.gross.qrs_ppv, "gross Q +P");
  expect_figure(gr[3], s.gross.veb_se, "gross V Se");
  expect_figure(gr[4], s.gross.veb_ppv, "gross V +P");
  expect_figure(gr[5], s.gross.sveb_se, "gross S Se");
  expect_figure(gr[6], s.gross.sveb_ppv, "gross S +P");
  ASSERT_EQ(av.size(), 8u);
  ASSERT_EQ(av[0], "Average");
  expect_figure(av[1], s.average.qrs_se, "average Q Se");
  expect_figure(av[2], s.average.qrs_ppv, "average Q +P");
  expect_figure(av[3], s.average.veb_se, "average V Se");
  expect_figure(av[4], s.average.veb_ppv, "average V +P");
  expect_figure(av[5], s.average.sveb_se, "average S Se");
  expect_figure(av[6], s.average.sveb_ppv, "average S +P");
  expect_figure(av[7], s.average.rr_error_ms, "average RR err");
  EXPECT_EQ(sum[53], "Total QRS complexes: " + std::to_string(s.total_qrs) + "  Total VEBs: " + std::to_string(s.total_veb) +
                         "  Total SVEBs: " + std::to_string(s.total_sveb));
}

}  // namespace

TEST(Ec57Reference, GqrsWholeRecord) { check_case({"qrs-whole-record", "qrs", 0}); }
TEST(Ec57Reference, GqrsFromMinute5) { check_case({"qrs-from-5min", "qrs", 300}); }
TEST(Ec57Reference, PerturbedWholeRecord) { check_case({"pert-whole-record", "pert", 0}); }
TEST(Ec57Reference, PerturbedFromMinute5) { check_case({"pert-from-5min", "pert", 300}); }

// The README's gross table, as the `gross` line gives it.
TEST(Ec57Reference, GrossLineMatchesTheReadme) {
  const auto ref_dir = test::mitdb_dir();
  const auto root = reference_dir();
  std::vector<Ec57Record> recs;
  for (const std::string& name : ec57_list_records(ref_dir, "atr"))
    recs.push_back(ec57_compare_files(ref_dir, "atr", root / "annotations", "pert", name, Ec57Options{}));
  ASSERT_EQ(recs.size(), 48u);
  const std::string line = ec57_gross_line(ec57_summarize(recs));
  EXPECT_EQ(line.rfind("gross QRS_Se=98.67 QRS_PP=99.14 VEB_Se=93.36 VEB_PP=83.12 VEB_FPR=", 0), 0u) << line;
  EXPECT_NE(line.find(" SVEB_Se=86.19 SVEB_PP=70.94"), std::string::npos) << line;
}
