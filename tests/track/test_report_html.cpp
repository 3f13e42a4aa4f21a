// runs_report_html on runs built by hand (no database): the parameters'
// differing rows, one chart per curve with one line per run, the final
// metrics' bars, escaping, no network reference and no script, NaN points
// skipped, long curves downsampled, and the edge cases (one run, no runs).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "heartwave/core/error.hpp"
#include "heartwave/track/report.hpp"

using namespace heartwave;

namespace {

const std::string kIdA = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const std::string kIdB = "b2c3d4e5f60718293a4b5c6d7e8f90a1";
const std::string kIdC = "c3d4e5f60718293a4b5c6d7e8f90a1b2";
const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

// The curve chart of `key`, from its <svg to its </svg>; empty when absent.
std::string chart(const std::string& page, const std::string& key) {
  const auto b = page.find("<svg class=\"curve\" data-metric=\"" + key + "\"");
  if (b == std::string::npos) return {};
  return page.substr(b, page.find("</svg>", b) + 6 - b);
}

// The points attribute of the polyline of `run` inside `svg`, as x,y pairs.
std::vector<std::pair<double, double>> polyline(const std::string& svg, const std::string& run) {
  const auto at = svg.find("<polyline class=\"series\" data-run=\"" + run + "\"");
  if (at == std::string::npos) return {};
  const auto b = svg.find("points=\"", at) + 8;
  const std::string pts = svg.substr(b, svg.find('"', b) - b);
  std::vector<std::pair<double, double>> out;
  std::size_t i = 0;
  while (i < pts.size()) {
    std::size_t e = pts.find(' ', i);
    if (e == std::string::npos) e = pts.size();
    const std::string pair = pts.substr(i, e - i);
    const auto comma = pair.find(',');
    out.emplace_back(std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1)));
    i = e + 1;
  }
  return out;
}

RunCurves make_run(const std::string& id, std::map<std::string, std::string> params, std::map<std::string, double> metrics) {
  RunCurves r;
  r.run.id = id;
  r.run.experiment = "arrhythmia-xgb";
  r.run.status = RunStatus::finished;
  r.run.start_ms = 1'700'000'000'000;
  r.run.end_ms = r.run.start_ms + 754'000;
  r.run.git_commit = "0123456789abcdef0123456789abcdef01234567";
  r.run.command = "heartwave train --config cfg.yaml";
  r.run.params = std::move(params);
  r.run.metrics = std::move(metrics);
  return r;
}

void add_curve(RunCurves& r, const std::string& key, int steps, double scale) {
  for (int s = 0; s < steps; ++s) r.points.push_back({key, scale / (s + 1.0), s, r.run.start_ms + s});
}

// Three runs: eta, seed (missing in C) and subsample differ; max_depth,
// objective and note are equal in all three.
std::vector<RunCurves> three_runs() {
  const std::string note = "<script>alert(1)</script> & co";
  std::vector<RunCurves> runs{
      make_run(kIdA, {{"eta", "0.1"}, {"max_depth", "6"}, {"seed", "42"}, {"objective", "multi:softprob"}, {"note", note}, {"subsample", "0.8"}},
               {{"accuracy", 0.91}, {"macro_f1", 0.72}, {"valid.mlogloss", 0.31}}),
      make_run(kIdB, {{"eta", "0.1"}, {"max_depth", "6"}, {"seed", "42"}, {"objective", "multi:softprob"}, {"note", note}, {"subsample", "0.9"}},
               {{"accuracy", 0.93}, {"macro_f1", 0.75}, {"valid.mlogloss", 0.27}}),
      make_run(kIdC, {{"eta", "0.3"}, {"max_depth", "6"}, {"objective", "multi:softprob"}, {"note", note}, {"subsample", "0.8"}},
               {{"accuracy", 0.89}, {"macro_f1", 0.70}, {"valid.mlogloss", 0.35}}),
  };
  runs[1].run.git_dirty = true;
  runs[2].run.command = "heartwave train --tag '<script>x</script>' && echo done";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    add_curve(runs[i], "train.mlogloss", 50, 1.0 + static_cast<double>(i));
    add_curve(runs[i], "valid.mlogloss", 50, 1.5 + static_cast<double>(i));
    runs[i].points.push_back({"lr", 0.1, 0, 0});  // one point per run: not a curve
  }
  return runs;
}

RunsReportOptions options() {
  RunsReportOptions o;
  o.title = "Arrhythmia tuning & <friends>";
  o.store = "out/tracking.db";
  o.generated_ms = 1'700'000'000'000;
  return o;
}

TEST(RunsReport, ThreeRunsCompared) {
  const std::string page = runs_report_html(three_runs(), options());
  {
    std::ofstream f("/tmp/runs-report-sample.html", std::ios::binary);
    f << page;
  }
  // Header.
  EXPECT_NE(page.find("Arrhythmia tuning &amp; &lt;friends&gt;"), std::string::npos);
  EXPECT_NE(page.find("out/tracking.db"), std::string::npos);
  EXPECT_NE(page.find("2023-11-14 22:13:20 UTC"), std::string::npos);
  // Runs table: short ids with the full id as title, commit cut at 12, dirty, duration.
  EXPECT_NE(page.find("<code title=\"" + kIdA + "\">a1b2c3d4</code>"), std::string::npos);
  EXPECT_NE(page.find("0123456789ab (dirty)"), std::string::npos);
  EXPECT_EQ(count(page, "0123456789ab (dirty)"), 1u);
  EXPECT_EQ(page.find("0123456789abc"), std::string::npos);
  EXPECT_NE(page.find("00:12:34"), std::string::npos);
  // Parameters: the three differing keys, the three equal ones.
  EXPECT_EQ(count(page, "data-diff=\"1\""), 3u);
  EXPECT_EQ(count(page, "data-diff=\"0\""), 3u);
  EXPECT_NE(page.find("3 of 6 parameters differ"), std::string::npos);
  // Curves: two charts with three lines each; "lr" has one point per run, no chart.
  for (const char* key : {"train.mlogloss", "valid.mlogloss"}) {
    const std::string svg = chart(page, key);
    ASSERT_FALSE(svg.empty()) << key;
    EXPECT_EQ(count(svg, "class=\"series\""), 3u) << key;
    EXPECT_EQ(count(svg, "<polyline"), 3u) << key;
    for (const std::string& id : {kIdA, kIdB, kIdC}) EXPECT_EQ(polyline(svg, id).size(), 50u) << key << " " << id;
    EXPECT_NE(svg.find(">step</text>"), std::string::npos);
  }
  EXPECT_TRUE(chart(page, "lr").empty());
  EXPECT_EQ(count(page, "<svg class=\"curve\""), 2u);
  // The loss falls: the first point of a line is above (smaller y than) its last.
  const auto line = polyline(chart(page, "train.mlogloss"), kIdA);
  ASSERT_FALSE(line.empty());
  EXPECT_LT(line.front().second, line.back().second);
  EXPECT_LT(line.front().first, line.back().first);
  // Final metrics: a bar per (metric, run), and the values in the table.
  ASSERT_NE(page.find("<svg class=\"finals\""), std::string::npos);
  for (const char* key : {"accuracy", "macro_f1", "valid.mlogloss"})
    for (const std::string& id : {kIdA, kIdB, kIdC})
      EXPECT_EQ(count(page, std::string("<rect data-metric=\"") + key + "\" data-run=\"" + id + "\""), 1u) << key << " " << id;
  EXPECT_NE(page.find(">0.93<"), std::string::npos);
  // Print layout.
  EXPECT_NE(page.find("@page { size: A4 landscape; margin: 10mm }"), std::string::npos);
}

TEST(RunsReport, EscapesAndStaysOffline) {
  const std::string page = runs_report_html(three_runs(), options());
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), std::string::npos);
  EXPECT_NE(page.find("&#39;&lt;script&gt;x&lt;/script&gt;&#39; &amp;&amp; echo done"), std::string::npos);
  for (const std::string scheme : {"http://", "https://"})
    for (auto p = page.find(scheme); p != std::string::npos; p = page.find(scheme, p + 1))
      EXPECT_EQ(page.compare(p, 26, "http://www.w3.org/2000/svg"), 0) << page.substr(p, 60);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("url("), std::string::npos);
  EXPECT_EQ(page.find("@import"), std::string::npos);
}

TEST(RunsReport, NonFiniteValuesSkipped) {
  std::vector<RunCurves> runs = three_runs();
  for (int s = 0; s < 10; ++s) {
    const double v = s == 2 || s == 5 ? kNaN : s == 7 ? std::numeric_limits<double>::infinity() : 0.1 * s;
    runs[0].points.push_back({"valid.auc", v, s, 0});
  }
  runs[1].points.push_back({"valid.auc", kNaN, 0, 0});  // only NaN: no line for this run
  runs[0].run.metrics["valid.auc"] = kNaN;
  runs[1].run.metrics["valid.auc"] = -std::numeric_limits<double>::infinity();
  runs[2].run.metrics["valid.auc"] = 0.8;
  const std::string page = runs_report_html(runs, options());
  const std::string svg = chart(page, "valid.auc");
  ASSERT_FALSE(svg.empty());
  EXPECT_EQ(count(svg, "class=\"series\""), 1u);
  EXPECT_EQ(polyline(svg, kIdA).size(), 7u);
  for (const char* bad : {"nan", "NaN", "inf", "Inf"}) EXPECT_EQ(page.find(bad), std::string::npos) << bad;
  // The non-finite finals have no bar; the finite one has.
  EXPECT_EQ(count(page, "<rect data-metric=\"valid.auc\""), 1u);
  EXPECT_EQ(count(page, "<rect data-metric=\"valid.auc\" data-run=\"" + kIdC + "\""), 1u);
}

TEST(RunsReport, SinglePointConstantAndSingleRun) {
  std::vector<RunCurves> runs{make_run(kIdA, {{"eta", "0.1"}, {"seed", "1"}}, {{"accuracy", 0.9}}),
                              make_run(kIdB, {{"eta", "0.1"}, {"seed", "1"}}, {{"accuracy", 0.8}})};
  for (int s = 0; s < 20; ++s) runs[0].points.push_back({"valid.auc", 0.5, s, 0});  // constant, in run A only
  for (int s = 0; s < 20; ++s) runs[0].points.push_back({"valid.acc", 0.5 + 0.01 * s, s, 0});
  runs[1].points.push_back({"valid.acc", 0.7, 3, 0});  // one point: a dot
  const std::string page = runs_report_html(runs, options());
  const std::string acc = chart(page, "valid.acc");
  ASSERT_FALSE(acc.empty());
  EXPECT_EQ(count(acc, "class=\"series\""), 2u);
  EXPECT_EQ(count(acc, "<circle class=\"series\" data-run=\"" + kIdB + "\""), 1u);
  EXPECT_EQ(polyline(acc, kIdA).size(), 20u);

  const std::string svg = chart(page, "valid.auc");
  ASSERT_FALSE(svg.empty());
  EXPECT_EQ(count(svg, "class=\"series\""), 1u);
  const auto line = polyline(svg, kIdA);
  ASSERT_EQ(line.size(), 20u);
  for (const auto& [x, y] : line) {  // a constant is drawn inside the plot (top 12, bottom 232), not on its edge
    EXPECT_GT(y, 12.5);
    EXPECT_LT(y, 231.5);
    EXPECT_EQ(y, line.front().second);
  }

  const std::string one = runs_report_html({runs[0]}, options());
  EXPECT_EQ(count(one, "data-diff=\"1\""), 0u);
  EXPECT_EQ(count(one, "data-diff=\"0\""), 2u);
  EXPECT_NE(one.find("0 of 2 parameters differ"), std::string::npos);
  EXPECT_EQ(count(chart(one, "valid.auc"), "class=\"series\""), 1u);
  EXPECT_EQ(count(one, "<rect data-metric=\"accuracy\""), 1u);
}

TEST(RunsReport, LongCurveDownsampled) {
  std::vector<RunCurves> runs{make_run(kIdA, {}, {{"loss", 0.01}}), make_run(kIdB, {}, {{"loss", 0.02}})};
  for (int s = 0; s < 100'000; ++s) runs[0].points.push_back({"loss", 1.0 / (1 + s * 0.001), s, 0});
  for (int s = 0; s < 30; ++s) runs[1].points.push_back({"loss", 1.0 / (1 + s), s, 0});
  const std::string page = runs_report_html(runs, options());
  EXPECT_LT(page.size(), 400'000u);
  const std::string svg = chart(page, "loss");
  const auto line = polyline(svg, kIdA);
  EXPECT_LE(line.size(), 2001u);
  EXPECT_GE(line.size(), 1000u);
  EXPECT_EQ(polyline(svg, kIdB).size(), 30u);
  // The last point is kept: the line reaches the right end of the x range.
  const auto short_line = polyline(svg, kIdB);
  EXPECT_GT(line.back().first, short_line.back().first);
  EXPECT_GT(line.back().first, line[line.size() - 2].first);
}

TEST(RunsReport, ManyFinalMetricsChartsFirstForty) {
  std::map<std::string, double> metrics;
  for (int k = 0; k < 45; ++k) {
    std::string key = "m";
    key += std::to_string(100 + k);
    metrics[key] = k;
  }
  const std::string page = runs_report_html({make_run(kIdA, {}, metrics)}, options());
  EXPECT_EQ(count(page, "<rect data-metric=\"m"), 40u);
  EXPECT_EQ(count(page, "<rect data-metric=\"m139\""), 1u);
  EXPECT_EQ(count(page, "<rect data-metric=\"m140\""), 0u);
  EXPECT_NE(page.find("first 40 of 45 metrics"), std::string::npos);
  EXPECT_NE(page.find("<th scope=\"row\">m144</th>"), std::string::npos);  // the table keeps all
  EXPECT_NE(page.find("No parameters."), std::string::npos);
  EXPECT_NE(page.find("No metric was logged at more than one step."), std::string::npos);
}

TEST(RunsReport, NoRunsThrows) {
  EXPECT_THROW(runs_report_html({}, options()), InvalidArgument);
}

}  // namespace
