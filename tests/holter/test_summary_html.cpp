#include "heartwave/holter/ecg_svg.hpp"
#include "heartwave/holter/summary_html.hpp"

#include "heartwave/dsp/synthetic.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

namespace heartwave {
namespace {

using nlohmann::json;
const std::string kDash = "\xE2\x80\x93";

std::size_t occurrences(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

// The points of every polyline with class `cls` in `svg`.
std::size_t polyline_points(const std::string& svg, const std::string& cls) {
  std::size_t n = 0;
  const std::string open = "<polyline class=\"" + cls + "\" points=\"";
  for (auto at = svg.find(open); at != std::string::npos; at = svg.find(open, at + 1)) {
    const auto b = at + open.size(), e = svg.find('"', b);
    const std::string pts = svg.substr(b, e - b);
    n += occurrences(pts, ",");
  }
  return n;
}

std::vector<double> sine(double fs, double seconds) {
  std::vector<double> v(static_cast<std::size_t>(std::llround(fs * seconds)));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.8 * std::sin(2 * M_PI * 1.2 * static_cast<double>(i) / fs);
  return v;
}

// The schema's example, filled in: every section has content.
json rich_summary() {
  return json::parse(R"J({
    "build": {"version": "0.9.0", "commit": "abc123", "dirty": false},
    "record": "100", "start": "2026-01-01T10:00:00", "duration_s": 1805.6, "fs": 360,
    "analysable_s": 1790.0, "excluded_s": 15.6, "excluded_percent": 0.86,
    "excluded_segments": [{"start_s": 10.0, "end_s": 15.0, "reason": "flat"}],
    "leads": ["MLII", "V5"], "detector": "hw", "model": {"file": "models/default.hwm", "family": "xgb_feat", "version": "2026.1"},
    "heart_rate": {"mean_bpm": 75.21, "min_bpm": 51.0, "min_time_s": 1203.2, "max_bpm": 120.3, "max_time_s": 50.1,
                   "averaging_beats": 8, "below_50_s": 0.0, "above_100_s": 35.2,
                   "trend": {"minute_s": 60, "bpm": [72.1, 73.0, null, 75.5, 76.0]}},
    "beats": {"total": 2273, "counts": {"N": 2239, "S": 33, "V": 1, "F": 0, "Q": 0}},
    "ventricular": {"burden_percent": 0.04, "isolated": 1, "couplets": 0, "runs": 0, "longest_run_beats": 0, "fastest_run_bpm": null,
                    "bigeminy_episodes": 0, "trigeminy_episodes": 0},
    "supraventricular": {"burden_percent": 1.45, "isolated": 20, "couplets": 2, "runs": 3, "longest_run_beats": 5, "fastest_run_bpm": 140.0,
                         "bigeminy_episodes": 1, "trigeminy_episodes": 0},
    "pauses": {"threshold_s": 2.0, "count": 1, "longest_s": 2.31, "longest_time_s": 400.5},
    "asystole": {"threshold_s": 5.0, "count": 0, "longest_s": null, "longest_time_s": null},
    "af": {"present": true, "burden_percent": 16.6, "mean_rate_bpm": 95.0,
           "episodes": [{"start_s": 100.0, "end_s": 400.0, "duration_s": 300.0, "mean_rate_bpm": 95.0, "label": "AFIB"}]},
    "hrv": {"nn_intervals": 2100, "mean_nn_ms": 812.0, "sdnn_ms": 45.0, "sdann_ms": 20.0, "sdnn_index_ms": 40.0,
            "rmssd_ms": 30.0, "pnn50_percent": 8.1},
    "episodes": [{"type": "SVT", "start_s": 10.0, "end_s": 12.0, "beats": 5, "rate_bpm": 140.0}],
    "findings": [{"id": "vt", "text": "Ventricular tachycardia, 8 beats at 160 bpm", "time_s": 123.4}],
    "definitions": [{"id": "vt", "definition": "VT: a run of 6 or more consecutive ventricular beats"}],
    "review": {"threshold": 0.6, "count": 12, "listed": [{"sample": 1234, "time_s": 3.43, "class": "S", "p": 0.51}]},
    "strips": [{"title": "Ventricular beat (first)", "reason": "class V", "start_sample": 0, "end_sample": 3600,
                "beats": [{"sample": 77, "class": "N"}, {"sample": 400, "class": "V"}, {"sample": 3700, "class": "N"}]}]})J");
}

const char* kSections[] = {"<h1>Holter summary", "Urgent findings", "Heart rate", "Beats per class",
                           "Ventricular and supraventricular ectopy", "Pauses and asystole", "AF/flutter",
                           "Heart rate variability (HRV)", "Beats for review", "ECG strips", "Definitions", "<footer>"};

TEST(SummaryHtml, ContainsEverySectionInOrder) {
  const auto lead = sine(360, 20);
  const std::string page = summary_html(rich_summary(), lead, 360);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("@page { size: A4 landscape; margin: 10mm }"), std::string::npos);
  EXPECT_NE(page.find("break-inside: avoid"), std::string::npos);
  std::size_t at = 0;
  for (const char* title : kSections) {
    const auto found = page.find(std::string(title) + (title[0] == '<' ? "" : "<"), at);
    ASSERT_NE(found, std::string::npos) << title << " missing or out of order";
    at = found;
  }
  EXPECT_NE(page.find("</html>"), std::string::npos);
}

TEST(SummaryHtml, IsSelfContained) {
  const auto lead = sine(360, 20);
  for (const std::string& page : {summary_html(rich_summary(), lead, 360),
                                  summary_index_html({rich_summary()}, {"100/summary.html"})}) {
    EXPECT_EQ(page.find("http://"), std::string::npos);
    EXPECT_EQ(page.find("https://"), std::string::npos);
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(page.find("src="), std::string::npos);
    EXPECT_EQ(page.find("url("), std::string::npos);
    EXPECT_EQ(page.find("@import"), std::string::npos);
    EXPECT_EQ(page.find("<img"), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
  }
}

TEST(SummaryHtml, EscapesEveryString) {
  json s = rich_summary();
  s["record"] = "<b>&\"x'";
  s["findings"][0]["text"] = "<i>bad</i>";
  s["strips"][0]["title"] = "<svg onload=1>";
  s["strips"][0]["beats"][0]["class"] = "<N>";
  s["leads"] = {"<L1>"};
  const auto lead = sine(360, 20);
  const std::string page = summary_html(s, lead, 360);
  EXPECT_NE(page.find("&lt;b&gt;&amp;&quot;x&#39;"), std::string::npos);
  EXPECT_EQ(page.find("<b>&\"x"), std::string::npos);
  EXPECT_EQ(page.find("<i>bad"), std::string::npos);
  EXPECT_EQ(page.find("<svg onload"), std::string::npos);
  EXPECT_EQ(page.find("<N>"), std::string::npos);
  EXPECT_EQ(page.find("<L1>"), std::string::npos);
  EXPECT_NE(page.find("&lt;i&gt;bad&lt;/i&gt;"), std::string::npos);
  const std::string index = summary_index_html({s}, {"x/summary.html"});
  EXPECT_NE(index.find("&lt;b&gt;&amp;&quot;x&#39;"), std::string::npos);
  EXPECT_EQ(index.find("<b>&\"x"), std::string::npos);
}

TEST(SummaryHtml, StripIsTrueToScaleWithOneMarkPerBeat) {
  const auto lead = sine(360, 30);
  const std::vector<StripBeat> beats = {{3599, "N"}, {3600, "N"}, {4000, "V"}, {5000, "S"}, {7199, "N"}, {7200, "N"}};
  const std::string svg = ecg_strip_svg(lead, 360, 3600, 7200, beats, "Test <strip>");
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_NE(svg.find("width=\"250mm\""), std::string::npos);
  EXPECT_NE(svg.find("viewBox=\"0 0 250 "), std::string::npos);
  EXPECT_EQ(occurrences(svg, "class=\"beat-label\""), 4u);  // 3600, 4000, 5000, 7199
  EXPECT_EQ(occurrences(svg, "class=\"beat-mark\""), 4u);
  EXPECT_NE(svg.find(">V</text>"), std::string::npos);
  EXPECT_NE(svg.find("Test &lt;strip&gt;"), std::string::npos);
  EXPECT_EQ(polyline_points(svg, "trace"), 3600u);
  EXPECT_NE(svg.find("stroke=\"#000000\""), std::string::npos);  // the trace black
  // The grid: 1 mm and 5 mm lines, in two shades of red.
  EXPECT_NE(svg.find("class=\"grid-minor\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"grid-major\""), std::string::npos);
  // Height: a 0.8 mV sine needs +-1 mV, the 20 mm minimum, plus the 12 mm label band.
  EXPECT_NE(svg.find("height=\"32mm\""), std::string::npos);
  // A 4 s strip is 100 mm.
  EXPECT_NE(ecg_strip_svg(lead, 360, 0, 1440, {}, "t").find("width=\"100mm\""), std::string::npos);
}

TEST(SummaryHtml, StripDecimatesAbove500Hz) {
  const auto lead = sine(1000, 12);
  const std::string svg = ecg_strip_svg(lead, 1000, 0, 10000, {}, "fast");
  EXPECT_NE(svg.find("width=\"250mm\""), std::string::npos);
  const auto n = polyline_points(svg, "trace");
  EXPECT_LE(n, 5000u);
  EXPECT_GE(n, 4000u);
  const auto lead2 = sine(2000, 10);
  EXPECT_LE(polyline_points(ecg_strip_svg(lead2, 2000, 0, 20000, {}, "faster"), "trace"), 5000u);
  EXPECT_EQ(polyline_points(ecg_strip_svg(sine(500, 10), 500, 0, 5000, {}, "500"), "trace"), 5000u);
}

TEST(SummaryHtml, StripRangeIgnoresAnArtefactAndClipsIt) {
  auto lead = sine(360, 10);
  for (auto& x : lead) x += 5.0;   // a baseline offset: the range follows the median
  lead[1000] = 80.0;               // one huge spike
  const std::string svg = ecg_strip_svg(lead, 360, 0, 3600, {}, "artefact");
  // The bulk is +-0.8 mV: +-1.5 mV with the headroom for a trace that has an artefact, 30 mm + the 12 mm band.
  EXPECT_NE(svg.find("height=\"42mm\""), std::string::npos) << svg.substr(0, 300);
  // Every trace point inside the paper (y from 12 to 42 mm), the spike clipped at the top edge.
  const std::regex pt(R"J(([0-9.]+),([0-9.]+))J");
  const auto b = svg.find("class=\"trace\" points=\""), e = svg.find('"', b + 22);
  const std::string pts = svg.substr(b + 22, e - b - 22);
  double lo = 1e9, hi = -1e9;
  for (std::sregex_iterator it(pts.begin(), pts.end(), pt), end; it != end; ++it) {
    const double y = std::stod((*it)[2]);
    lo = std::min(lo, y), hi = std::max(hi, y);
  }
  EXPECT_DOUBLE_EQ(lo, 12.0);
  EXPECT_LE(hi, 42.0);
  EXPECT_NEAR(hi, 35.0, 0.2) << "0.8 mV below the median is 8 mm below the centre line at 27";
}

TEST(SummaryHtml, StripOutsideTheSignalDoesNotThrow) {
  const auto lead = sine(360, 2);
  EXPECT_NE(ecg_strip_svg(lead, 360, 5000, 9000, {}, "x").find("no samples"), std::string::npos);
  EXPECT_NE(ecg_strip_svg(lead, 0, 0, 100, {}, "x").find("<svg"), std::string::npos);
  EXPECT_NE(ecg_strip_svg({}, 360, -5, 100, {}, "x").find("<svg"), std::string::npos);
  std::vector<double> gappy = lead;
  gappy[300] = std::nan("");
  EXPECT_EQ(occurrences(ecg_strip_svg(gappy, 360, 0, 720, {}, "x"), "class=\"trace\""), 2u);
}

TEST(SummaryHtml, FormatsNumbersAndTimes) {
  const auto lead = sine(360, 20);
  const std::string page = summary_html(rich_summary(), lead, 360);
  EXPECT_NE(page.find("75.2 bpm"), std::string::npos);           // 1 decimal
  EXPECT_NE(page.find("51.0 bpm at 00:20:03"), std::string::npos);  // hh:mm:ss from the start
  EXPECT_NE(page.find("(10:20:03)"), std::string::npos);          // and the clock time
  EXPECT_NE(page.find("812 ms"), std::string::npos);
  EXPECT_NE(page.find("8.1%"), std::string::npos);
  EXPECT_NE(page.find("&lt;0.1%"), std::string::npos);             // V burden 0.04%
  EXPECT_NE(page.find("00:30:06"), std::string::npos);             // duration 1805.6 s
  EXPECT_NE(page.find("2.31 s"), std::string::npos);
  EXPECT_NE(page.find("<span class=\"yes\">Yes</span>"), std::string::npos);
  EXPECT_NE(page.find("AFIB"), std::string::npos);
  EXPECT_NE(page.find("xgb_feat"), std::string::npos);
  EXPECT_NE(page.find("0.9.0"), std::string::npos);
  EXPECT_NE(page.find("abc123"), std::string::npos);
  EXPECT_NE(page.find(kDash), std::string::npos);                  // the null fastest V run
}

TEST(SummaryHtml, UrgentFindingsWithTimeAndDefinitionOrNone) {
  const auto lead = sine(360, 20);
  const std::string page = summary_html(rich_summary(), lead, 360);
  const auto box = page.find("<div class=\"urgent\">");
  ASSERT_NE(box, std::string::npos);
  const std::string urgent = page.substr(box, page.find("</div></li>", box) - box);
  EXPECT_NE(urgent.find("00:02:03"), std::string::npos);
  EXPECT_NE(urgent.find("Ventricular tachycardia, 8 beats at 160 bpm"), std::string::npos);
  EXPECT_NE(urgent.find("VT: a run of 6 or more consecutive ventricular beats"), std::string::npos);
  json s = rich_summary();
  s["findings"] = json::array();
  const std::string none = summary_html(s, lead, 360);
  EXPECT_NE(none.find("<div class=\"urgent none\"><strong>None</strong></div>"), std::string::npos);
}

TEST(SummaryHtml, SurvivesMissingAndMistypedFields) {
  const auto lead = sine(360, 5);
  const json odd = json::parse(R"J({
    "record": 42, "start": 7, "duration_s": "long", "leads": "MLII", "model": [1], "build": true,
    "heart_rate": 5, "beats": {"total": "x", "counts": {"N": "many", "V": null}}, "ventricular": [],
    "supraventricular": {"burden_percent": "high", "runs": true},
    "pauses": {"count": null}, "asystole": "none", "af": {"present": "yes", "episodes": 5},
    "hrv": {"sdnn_ms": "x", "rmssd_ms": {}}, "episodes": [1, null, {"type": 3, "start_s": "a"}],
    "findings": [1, null, "x", {"text": null, "time_s": "soon"}], "definitions": [{"id": 1}, 2],
    "review": {"listed": [1, 2, {"p": "x"}]},
    "strips": [{"title": 3}, 7, {"start_sample": "a", "end_sample": 10}, {"start_sample": 100, "end_sample": 50},
               {"start_sample": 0, "end_sample": 1e300, "beats": [{"sample": "q"}, 5, {"sample": 10}]}],
    "excluded_segments": {"a": 1}})J");
  for (const json& s : {json::object(), json(5), json(), json::array({1, 2}), json("x"), odd}) {
    std::string page;
    ASSERT_NO_THROW(page = summary_html(s, lead, 360)) << s.dump();
    EXPECT_NE(page.find(kDash), std::string::npos) << s.dump();
    EXPECT_NE(page.find("</html>"), std::string::npos);
  }
  ASSERT_NO_THROW(summary_html(odd, {}, 0));
  ASSERT_NO_THROW(summary_html(odd, lead, std::nan("")));
  const std::string page = summary_html(odd, lead, 360);
  EXPECT_NE(page.find("record 42"), std::string::npos);  // a number where a name was expected is still shown
  EXPECT_EQ(page.find("id=\"heart-rate\""), std::string::npos);  // heart_rate: 5 is not shown
  EXPECT_NE(page.find("id=\"af\""), std::string::npos);
  // A summary with most fields missing: only the header, with dashes.
  const std::string bare = summary_html(json{{"record", "r1"}}, lead, 360);
  EXPECT_NE(bare.find("r1"), std::string::npos);
  EXPECT_EQ(bare.find("Urgent findings"), std::string::npos);
  EXPECT_GE(occurrences(bare, "<td>" + kDash + "</td>"), 5u);
  ASSERT_NO_THROW(summary_index_html({json(5), odd, json::object()}, {}));
}

TEST(SummaryHtml, TrendChartHasAGapAtNullMinutes) {
  const auto lead = sine(360, 5);
  json s = rich_summary();
  std::string page = summary_html(s, lead, 360);  // [72.1, 73.0, null, 75.5, 76.0]
  EXPECT_EQ(occurrences(page, "class=\"trend-line\""), 2u);
  EXPECT_EQ(polyline_points(page, "trend-line"), 4u);
  EXPECT_EQ(occurrences(page, "class=\"hr-ref\""), 2u);  // 50 and 100 bpm
  EXPECT_NE(page.find(">0:00</text>"), std::string::npos);
  EXPECT_NE(page.find(">0:30</text>"), std::string::npos);  // 1805.6 s recording: x axis to 0:30
  s["heart_rate"]["trend"]["bpm"] = json::parse("[70, null, 71, null, 72, 73, \"x\", 74, 75]");
  page = summary_html(s, lead, 360);
  EXPECT_EQ(occurrences(page, "class=\"trend-line\""), 2u);
  EXPECT_EQ(occurrences(page, "class=\"trend-dot\""), 2u);
  s["heart_rate"]["trend"]["bpm"] = json::parse("[null, null]");
  EXPECT_NO_THROW(page = summary_html(s, lead, 360));
  EXPECT_EQ(occurrences(page, "class=\"trend-line\""), 0u);
}

TEST(SummaryHtml, LongStripIsDrawnInRowsThatFitThePage) {
  const auto lead = sine(360, 40);
  json s = rich_summary();
  s["strips"] = json::parse(R"J([{"title": "AF", "start_sample": 0, "end_sample": 10800,
                                 "beats": [{"sample": 100, "class": "N"}, {"sample": 5000, "class": "N"}, {"sample": 9000, "class": "N"}]}])J");
  const std::string page = summary_html(s, lead, 360);
  EXPECT_EQ(occurrences(page, "class=\"ecg-strip\" width=\"250mm\""), 3u);
  EXPECT_EQ(occurrences(page, "class=\"beat-label\""), 3u);
  EXPECT_NE(page.find("AF (3/3)"), std::string::npos);
}

std::string url_decode(const std::string& s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '%' && i + 2 < s.size()) o += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)), i += 2;
    else o += s[i];
  return o;
}

TEST(SummaryHtml, IndexHasOneRowPerRecordWithWorkingRelativeLinks) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("hw_index_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::vector<json> sums;
  std::vector<std::string> links;
  for (const std::string name : {"100", "101 b", "a&b"}) {
    json s = rich_summary();
    s["record"] = name;
    sums.push_back(s);
    links.push_back(name + "/summary.html");
    fs::create_directories(dir / name);
    std::ofstream(dir / name / "summary.html") << summary_html(s, sine(360, 20), 360);
  }
  sums.push_back(json{{"record", "no link"}});
  const std::string index = summary_index_html(sums, links);
  std::ofstream(dir / "index.html") << index;
  const auto body = index.substr(index.find("<tbody>"));
  EXPECT_EQ(occurrences(body, "<tr>"), 4u);
  const std::regex href("href=\"([^\"]*)\"");
  std::size_t n = 0;
  for (std::sregex_iterator it(index.begin(), index.end(), href), end; it != end; ++it, ++n)
    EXPECT_TRUE(fs::exists(dir / url_decode((*it)[1]))) << (*it)[1];
  EXPECT_EQ(n, 3u);
  EXPECT_NE(index.find("href=\"101%20b/summary.html\""), std::string::npos);
  EXPECT_NE(index.find("href=\"a%26b/summary.html\">a&amp;b</a>"), std::string::npos);
  EXPECT_NE(index.find("<span class=\"yes\">1</span>"), std::string::npos);  // one urgent finding
  EXPECT_NE(index.find("16.6%"), std::string::npos);                         // AF burden
  // A link with a scheme is not followed.
  const std::string abs = summary_index_html({sums[0]}, {"javascript:alert(1)"});
  EXPECT_EQ(abs.find("href="), std::string::npos);
  EXPECT_EQ(summary_index_html({sums[0]}, {"//host/x"}).find("href="), std::string::npos);
  fs::remove_all(dir);
}

// A rich page from a synthetic half-hour recording; written to
// $HEARTWAVE_HTML_SAMPLE when set (tests/holter/chromium_print_check.sh
// prints it with Chromium).
TEST(SummaryHtml, WritesSamplePage) {
  SyntheticOptions o;
  o.fs = 360;
  o.seconds = 1800;
  o.leads = 1;
  o.heart_rate_bpm = 72;
  o.pvc_fraction = 0.01;
  const SyntheticEcg ecg = synthetic_ecg(o);
  json s = rich_summary();
  s["duration_s"] = 1800.0;
  s["leads"] = {"MLII"};
  s["record"] = "sample <synthetic> & co";
  s["beats"]["total"] = ecg.beats.size();
  const auto pvcs = std::count_if(ecg.beats.begin(), ecg.beats.end(), [](const SyntheticBeat& b) { return b.label == 'V'; });
  s["beats"]["counts"] = {{"N", ecg.beats.size() - static_cast<std::size_t>(pvcs)}, {"S", 0}, {"V", pvcs}, {"F", 0}, {"Q", 0}};
  s["ventricular"]["isolated"] = pvcs;
  s["ventricular"]["burden_percent"] = 100.0 * static_cast<double>(pvcs) / static_cast<double>(ecg.beats.size());
  json trend = json::array();
  for (int m = 0; m < 30; ++m)
    trend.push_back(m == 12 || m == 13 ? json() : json(72.0 + 10 * std::sin(m / 4.0) + (m > 20 ? 25 : 0)));
  s["heart_rate"]["trend"]["bpm"] = trend;
  s["findings"].push_back({{"id", "pause"}, {"text", "Pause of 2.3 s"}, {"time_s", 400.5}});
  s["definitions"].push_back({{"id", "pause"}, {"definition", "Pause: an RR interval of 2.0 s or more"}});
  // Strips: 10 s around the first PVC, the first 10 s, and 25 s from minute 5 (drawn in rows).
  std::int64_t pvc = 0;
  for (const auto& b : ecg.beats)
    if (b.label == 'V') { pvc = b.r; break; }
  auto strip = [&](const std::string& title, const std::string& reason, std::int64_t a, std::int64_t z) {
    json beats = json::array();
    for (const auto& b : ecg.beats)
      if (b.r >= a && b.r < z) beats.push_back({{"sample", b.r}, {"class", std::string(1, b.label)}});
    return json{{"title", title}, {"reason", reason}, {"start_sample", a}, {"end_sample", z}, {"beats", beats}};
  };
  const std::int64_t a = std::max<std::int64_t>(0, pvc - 1800);
  s["strips"] = {strip("Ventricular beat (first)", "class V", a, a + 3600), strip("Start of recording", "first 10 s", 0, 3600),
                 strip("Minute 5", "25 s", 300 * 360, 325 * 360)};
  const std::string page = summary_html(s, ecg.leads[0], ecg.fs);
  EXPECT_EQ(occurrences(page, "class=\"ecg-strip\""), 5u);
  EXPECT_EQ(page.find("http"), std::string::npos);
  if (const char* path = std::getenv("HEARTWAVE_HTML_SAMPLE")) {
    std::ofstream out(path, std::ios::binary);
    out << page;
    ASSERT_TRUE(out.good()) << path;
  }
}

}  // namespace
}  // namespace heartwave
