#include "heartwave/core/html.hpp"
#include "heartwave/holter/summary_html.hpp"

#include "heartwave/core/version.hpp"
#include "heartwave/holter/ecg_svg.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace heartwave {
namespace {

using nlohmann::json;

const std::string kDash = "\xE2\x80\x93";  // "–", for a missing value
constexpr std::size_t kMaxTableRows = 500;
constexpr double kStripMaxS = 11.08;      // 277 mm of printable width at 25 mm/s
constexpr double kStripRowS = 10.0;       // a longer strip is drawn in rows of 10 s
constexpr std::size_t kStripMaxRows = 12;

// ---- Reading the JSON: never throws, a wrong type reads as missing. ----

const json* field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}
const json* object(const json& j, const char* key) {
  const json* f = field(j, key);
  return f && f->is_object() ? f : nullptr;
}
const json* array(const json& j, const char* key) {
  const json* f = field(j, key);
  return f && f->is_array() ? f : nullptr;
}
std::optional<double> number(const json* j) {
  if (!j || !j->is_number()) return std::nullopt;
  const double v = j->get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}
std::optional<double> number(const json& j, const char* key) { return number(field(j, key)); }
std::optional<bool> boolean(const json& j, const char* key) {
  const json* f = field(j, key);
  if (!f || !f->is_boolean()) return std::nullopt;
  return f->get<bool>();
}
// A string, or a number written as JSON writes it; anything else missing.
std::optional<std::string> text(const json* j) {
  if (!j) return std::nullopt;
  if (j->is_string()) return j->get<std::string>();
  if (j->is_number()) return j->dump();
  return std::nullopt;
}
std::optional<std::string> text(const json& j, const char* key) { return text(field(j, key)); }
std::optional<std::int64_t> sample_index(const json& j, const char* key) {
  auto v = number(j, key);
  if (!v || std::abs(*v) > 9e15) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(*v));
}

// ---- Writing. ----

std::string esc(const std::string& s) { return html_escape(s); }
std::string esc_or_dash(const std::optional<std::string>& s) { return s ? esc(*s) : kDash; }

std::string fixed(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}
std::string fixed(const std::optional<double>& v, int digits) { return v ? fixed(*v, digits) : kDash; }
std::string count(const std::optional<double>& v) {
  if (!v || std::abs(*v) > 1e15) return kDash;
  return fixed(*v, 0);
}
std::string bpm(const std::optional<double>& v) { return v ? fixed(*v, 1) + " bpm" : kDash; }
std::string ms(const std::optional<double>& v) { return v ? fixed(*v, 0) + " ms" : kDash; }
// One decimal; a positive share too small for it reads "<0.1%", not "0.0%".
std::string percent(const std::optional<double>& v) {
  if (!v) return kDash;
  if (*v > 0 && *v < 0.05) return "&lt;0.1%";
  return fixed(*v, 1) + "%";
}
// Seconds from the start as hh:mm:ss (hours past 99 as they come), truncated.
std::string hms(double s, bool round_it = false) {
  if (!std::isfinite(s) || std::abs(s) > 1e12) return kDash;
  const bool neg = s < 0;
  auto t = static_cast<long long>(round_it ? std::llround(std::abs(s)) : static_cast<long long>(std::floor(std::abs(s))));
  char b[64];
  std::snprintf(b, sizeof b, "%s%02lld:%02lld:%02lld", neg ? "-" : "", t / 3600, t / 60 % 60, t % 60);
  return b;
}
// A length of time: seconds below a minute, else hh:mm:ss.
std::string duration(const std::optional<double>& s) {
  if (!s) return kDash;
  if (std::abs(*s) < 60) return fixed(*s, 1) + " s";
  return hms(*s, true);
}
std::string seconds2(const std::optional<double>& s) { return s ? fixed(*s, 2) + " s" : kDash; }

// The recording's start ("YYYY-MM-DDTHH:MM:SS..."), as seconds into its day,
// so that event times can also be given as clock times.
std::optional<double> start_of_day(const json& summary) {
  auto s = text(summary, "start");
  if (!s || s->size() < 19) return std::nullopt;
  int h = 0, m = 0, sec = 0;
  const std::string& t = *s;
  if ((t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':') return std::nullopt;
  for (int i : {11, 12, 14, 15, 17, 18})
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  h = (t[11] - '0') * 10 + (t[12] - '0');
  m = (t[14] - '0') * 10 + (t[15] - '0');
  sec = (t[17] - '0') * 10 + (t[18] - '0');
  if (h > 23 || m > 59 || sec > 60) return std::nullopt;
  return h * 3600.0 + m * 60.0 + sec;
}

struct Page {
  std::string o;
  std::optional<double> day0;  // the start's time of day, when known

  void add(const std::string& s) { o += s; }
  // "hh:mm:ss" from the start, with the clock time when the start is known.
  std::string when(const std::optional<double>& t) const {
    if (!t) return kDash;
    std::string s = hms(*t);
    if (day0 && std::abs(*t) < 1e12) {
      double clock = std::fmod(*day0 + std::floor(*t), 86400.0);
      if (clock < 0) clock += 86400.0;
      s += " <span class=\"muted\">(" + hms(clock) + ")</span>";
    }
    return s;
  }
  void section(const std::string& id, const std::string& title) {
    o += "<section id=\"" + id + "\"><h2>" + title + "</h2>\n";
  }
  void end_section() { o += "</section>\n"; }
  void row(const std::string& name, const std::string& value) {
    o += "<tr><th scope=\"row\">" + name + "</th><td>" + value + "</td></tr>\n";
  }
};

const char* kCss = R"CSS(
h2 { font-size: 12pt; margin: 5mm 0 2mm; padding-bottom: 0.5mm; border-bottom: 0.4mm solid #7a1f1f; color: #7a1f1f;
     break-after: avoid; page-break-after: avoid }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid }
table { border-collapse: collapse; margin: 1mm 0 2mm; break-inside: avoid; page-break-inside: avoid }
table.long { break-inside: auto; page-break-inside: auto }
th, td { border: 0.25mm solid #c8c8c8; padding: 0.6mm 2mm; text-align: left; vertical-align: top }
thead th { background: #f1eded }
tbody th { font-weight: normal; color: #444; background: #faf8f8 }
td.n { text-align: right; font-variant-numeric: tabular-nums }
tr { break-inside: avoid; page-break-inside: avoid }
.cols { display: flex; flex-wrap: wrap; gap: 6mm; align-items: flex-start }
.muted { color: #666 }
.urgent { border: 0.6mm solid #c00000; background: #fff0f0; padding: 2mm 4mm; margin: 2mm 0; break-inside: avoid;
          page-break-inside: avoid }
.urgent.none { border-color: #2e7d32; background: #f1f8f1 }
.urgent ol { margin: 1mm 0; padding-left: 6mm }
.urgent li { margin: 1mm 0 }
.urgent .def { color: #555; font-size: 9pt }
.yes { color: #c00000; font-weight: bold }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid }
figcaption { font-size: 9pt; color: #555 }
svg { display: block; overflow: hidden; max-width: none }
dl.defs dt { font-weight: bold; float: left; clear: left; min-width: 28mm }
dl.defs dd { margin: 0 0 1mm 30mm }
footer { margin-top: 6mm; padding-top: 1mm; border-top: 0.25mm solid #999; color: #666; font-size: 8.5pt }
)CSS";

std::string page_head(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         title + "</title>\n<style>" + kA4PageCss + kCss + "</style>\n</head>\n<body>\n";
}

std::string footer_html() {
  return "<footer>Generated by heartwave " + esc(version_string()) +
         ". Automated analysis: every finding must be reviewed by a qualified clinician before any clinical use.</footer>\n"
         "</body>\n</html>\n";
}

// ---- Sections. ----

void header(Page& p, const json& s) {
  const auto record = text(s, "record");
  p.add("<header>\n<h1>Holter summary" + (record ? " \xE2\x80\x94 record " + esc(*record) : std::string()) + "</h1>\n");
  p.add("<div class=\"cols\"><table class=\"kv\"><tbody>\n");
  p.row("Record", esc_or_dash(record));
  p.row("Start", esc_or_dash(text(s, "start")));
  const auto dur = number(s, "duration_s");
  p.row("Duration", dur ? hms(*dur, true) + " <span class=\"muted\">(" + fixed(*dur, 1) + " s)</span>" : kDash);
  const auto an = number(s, "analysable_s");
  p.row("Analysable time", an ? hms(*an, true) + " <span class=\"muted\">(" + fixed(*an, 1) + " s)</span>" : kDash);
  const auto ex = number(s, "excluded_s");
  p.row("Excluded", ex || number(s, "excluded_percent")
                        ? duration(ex) + " (" + percent(number(s, "excluded_percent")) + ")"
                        : kDash);
  const auto fs = number(s, "fs");
  p.row("Sampling rate", fs ? fixed(*fs, *fs == std::floor(*fs) ? 0 : 1) + " Hz" : kDash);
  p.add("</tbody></table>\n<table class=\"kv\"><tbody>\n");
  std::string leads;
  if (const json* l = array(s, "leads"))
    for (const json& x : *l)
      if (auto t = text(&x)) leads += (leads.empty() ? "" : ", ") + esc(*t);
  p.row("Leads", leads.empty() ? kDash : leads);
  p.row("Detector", esc_or_dash(text(s, "detector")));
  if (const json* m = object(s, "model")) {
    p.row("Model", esc_or_dash(text(*m, "family")) + " <span class=\"muted\">" + esc_or_dash(text(*m, "file")) + "</span>");
    p.row("Model version", esc_or_dash(text(*m, "version")));
  } else {
    p.row("Model", esc_or_dash(text(s, "model")));
  }
  if (const json* b = object(s, "build")) {
    auto commit = text(*b, "commit");
    if (!commit) commit = text(*b, "git_commit");
    auto dirty = boolean(*b, "dirty");
    if (!dirty) dirty = boolean(*b, "git_dirty");
    p.row("heartwave", esc_or_dash(text(*b, "version")) + " <span class=\"muted\">(commit " + esc_or_dash(commit) +
                           (dirty && *dirty ? ", uncommitted changes" : "") + ")</span>");
  } else {
    p.row("heartwave", kDash);
  }
  p.add("</tbody></table></div>\n");
  if (const json* segs = array(s, "excluded_segments"); segs && !segs->empty()) {
    p.add("<h3>Excluded segments</h3>\n<table class=\"");
    p.add(segs->size() > 25 ? "long" : "");
    p.add("\"><thead><tr><th>Start</th><th>End</th><th>Length</th><th>Reason</th></tr></thead><tbody>\n");
    std::size_t shown = 0;
    for (const json& g : *segs) {
      if (shown++ == kMaxTableRows) break;
      const auto a = number(g, "start_s"), e = number(g, "end_s");
      p.add("<tr><td>" + p.when(a) + "</td><td>" + p.when(e) + "</td><td class=\"n\">" +
            duration(a && e ? std::optional<double>(*e - *a) : std::nullopt) + "</td><td>" + esc_or_dash(text(g, "reason")) +
            "</td></tr>\n");
    }
    p.add("</tbody></table>\n");
    if (segs->size() > kMaxTableRows)
      p.add("<p class=\"muted\">\xE2\x80\xA6 and " + std::to_string(segs->size() - kMaxTableRows) + " more.</p>\n");
  }
  p.add("</header>\n");
}

void urgent(Page& p, const json& s) {
  const json* findings = array(s, "findings");
  if (!findings) return;
  std::map<std::string, std::string> defs;
  if (const json* d = array(s, "definitions"))
    for (const json& x : *d) {
      auto id = text(x, "id");
      auto def = text(x, "definition");
      if (id && def) defs.emplace(*id, *def);
    }
  p.section("urgent", "Urgent findings");
  std::string items;
  std::size_t shown = 0;
  for (const json& f : *findings) {
    if (!f.is_object()) continue;
    if (shown++ == kMaxTableRows) break;
    const auto id = text(f, "id");
    auto def = id ? defs.find(*id) : defs.end();
    items += "<li><strong>" + p.when(number(f, "time_s")) + "</strong> \xE2\x80\x94 " + esc_or_dash(text(f, "text")) +
             "<div class=\"def\">Definition: " + (def != defs.end() ? esc(def->second) : kDash) + "</div></li>\n";
  }
  if (items.empty())
    p.add("<div class=\"urgent none\"><strong>None</strong></div>\n");
  else
    p.add("<div class=\"urgent\"><ol>\n" + items + "</ol></div>\n");
  p.end_section();
}

// The per-minute heart rate over the whole recording: x in h:mm from the
// start, y in bpm, 50 and 100 bpm reference lines, a gap at each null minute.
std::string trend_svg(const json& trend, std::optional<double> duration_s) {
  const json* values = array(trend, "bpm");
  if (!values || values->empty()) return {};
  double minute = number(trend, "minute_s").value_or(60.0);
  if (!(minute > 0 && minute <= 86400)) minute = 60.0;
  std::vector<std::optional<double>> v;
  v.reserve(values->size());
  double lo_v = 1e300, hi_v = -1e300;
  for (const json& x : *values) {
    auto b = number(&x);
    if (b && (*b < 0 || *b > 1000)) b.reset();
    if (b) lo_v = std::min(lo_v, *b), hi_v = std::max(hi_v, *b);
    v.push_back(b);
  }
  if (lo_v > hi_v) return {};

  const double W = 270, H = 62, left = 13, right = 4, top = 3, bottom = 9;
  const double pw = W - left - right, ph = H - top - bottom;
  double span_s = static_cast<double>(v.size()) * minute;
  if (duration_s && *duration_s > span_s && *duration_s < 1e9) span_s = *duration_s;
  double y0 = std::max(0.0, std::min(40.0, std::floor((lo_v - 5) / 20) * 20));
  double y1 = std::min(300.0, std::max(120.0, std::ceil((hi_v + 5) / 20) * 20));
  auto X = [&](double t) { return left + pw * t / span_s; };
  auto Y = [&](double b) { return top + ph * (1 - (std::clamp(b, y0, y1) - y0) / (y1 - y0)); };

  std::string o = "<svg class=\"hr-trend\" width=\"" + fixed(W, 0) + "mm\" height=\"" + fixed(H, 0) + "mm\" viewBox=\"0 0 " +
                  fixed(W, 0) + " " + fixed(H, 0) +
                  "\" role=\"img\" aria-label=\"Heart rate per minute\" font-family=\"sans-serif\" font-size=\"2.8\">";
  o += "<rect x=\"" + fixed(left, 2) + "\" y=\"" + fixed(top, 2) + "\" width=\"" + fixed(pw, 2) + "\" height=\"" + fixed(ph, 2) +
       "\" fill=\"#ffffff\" stroke=\"#999999\" stroke-width=\"0.2\"/>";
  for (double b = y0; b <= y1 + 1e-9; b += 20) {
    o += "<line x1=\"" + fixed(left, 2) + "\" x2=\"" + fixed(left + pw, 2) + "\" y1=\"" + fixed(Y(b), 2) + "\" y2=\"" +
         fixed(Y(b), 2) + "\" stroke=\"#e6e6e6\" stroke-width=\"0.15\"/>";
    o += "<text x=\"" + fixed(left - 1.2, 2) + "\" y=\"" + fixed(Y(b) + 1, 2) + "\" text-anchor=\"end\">" + fixed(b, 0) + "</text>";
  }
  // Time ticks: the first step (in minutes) giving at most 12 of them.
  const double steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080};
  double step = steps[std::size(steps) - 1] * 60;
  for (double m : steps)
    if (span_s / (m * 60) <= 12) { step = m * 60; break; }
  for (double t = 0; t <= span_s + 1e-6 && t / step < 1000; t += step) {
    const auto mins = static_cast<long long>(std::llround(t / 60));
    char b[32];
    std::snprintf(b, sizeof b, "%lld:%02lld", mins / 60, mins % 60);
    o += "<line x1=\"" + fixed(X(t), 2) + "\" x2=\"" + fixed(X(t), 2) + "\" y1=\"" + fixed(top, 2) + "\" y2=\"" +
         fixed(top + ph + 1, 2) + "\" stroke=\"#eeeeee\" stroke-width=\"0.15\"/>";
    o += "<text x=\"" + fixed(X(t), 2) + "\" y=\"" + fixed(top + ph + 4, 2) + "\" text-anchor=\"middle\">" + b + "</text>";
  }
  o += "<text x=\"" + fixed(left + pw, 2) + "\" y=\"" + fixed(H - 0.6, 2) + "\" text-anchor=\"end\" fill=\"#666666\">time from start (h:mm)</text>";
  o += "<text x=\"2.5\" y=\"" + fixed(top + ph / 2, 2) + "\" transform=\"rotate(-90 2.5 " + fixed(top + ph / 2, 2) +
       ")\" text-anchor=\"middle\" fill=\"#666666\">bpm</text>";
  for (double ref : {50.0, 100.0}) {
    if (ref < y0 || ref > y1) continue;
    o += "<line class=\"hr-ref\" x1=\"" + fixed(left, 2) + "\" x2=\"" + fixed(left + pw, 2) + "\" y1=\"" + fixed(Y(ref), 2) +
         "\" y2=\"" + fixed(Y(ref), 2) + "\" stroke=\"#d08020\" stroke-width=\"0.25\" stroke-dasharray=\"1.5 1\"/>";
    o += "<text x=\"" + fixed(left + pw - 0.8, 2) + "\" y=\"" + fixed(Y(ref) - 0.8, 2) + "\" text-anchor=\"end\" fill=\"#b06010\">" +
         fixed(ref, 0) + " bpm</text>";
  }
  // One polyline per run of non-null minutes; a lone minute is a dot.
  std::size_t i = 0;
  while (i < v.size()) {
    if (!v[i]) { ++i; continue; }
    std::size_t j = i;
    std::string pts;
    for (; j < v.size() && v[j]; ++j)
      pts += (pts.empty() ? "" : " ") + fixed(X((static_cast<double>(j) + 0.5) * minute), 2) + "," + fixed(Y(*v[j]), 2);
    if (j - i == 1)
      o += "<circle class=\"trend-dot\" cx=\"" + fixed(X((static_cast<double>(i) + 0.5) * minute), 2) + "\" cy=\"" +
           fixed(Y(*v[i]), 2) + "\" r=\"0.5\" fill=\"#1f4e9a\"/>";
    else
      o += "<polyline class=\"trend-line\" points=\"" + pts +
           "\" fill=\"none\" stroke=\"#1f4e9a\" stroke-width=\"0.35\" stroke-linejoin=\"round\"/>";
    i = j;
  }
  o += "</svg>";
  return o;
}

void heart_rate(Page& p, const json& s) {
  const json* hr = object(s, "heart_rate");
  if (!hr) return;
  p.section("heart-rate", "Heart rate");
  p.add("<table><tbody>\n");
  p.row("Mean", bpm(number(*hr, "mean_bpm")));
  p.row("Minimum", bpm(number(*hr, "min_bpm")) + (number(*hr, "min_bpm") ? " at " + p.when(number(*hr, "min_time_s")) : ""));
  p.row("Maximum", bpm(number(*hr, "max_bpm")) + (number(*hr, "max_bpm") ? " at " + p.when(number(*hr, "max_time_s")) : ""));
  const auto avg = number(*hr, "averaging_beats");
  p.row("Averaged over", avg ? count(avg) + " beats" : kDash);
  p.row("Time below 50 bpm", duration(number(*hr, "below_50_s")));
  p.row("Time above 100 bpm", duration(number(*hr, "above_100_s")));
  p.add("</tbody></table>\n");
  if (const json* trend = object(*hr, "trend")) {
    const std::string svg = trend_svg(*trend, number(s, "duration_s"));
    p.add("<figure class=\"trend\">" + (svg.empty() ? "<p class=\"muted\">Per-minute trend: " + kDash + "</p>" : svg) +
          "<figcaption>Heart rate per minute; gaps where a minute had no rate.</figcaption></figure>\n");
  }
  p.end_section();
}

const char* class_name(const std::string& c) {
  if (c == "N") return "Normal and bundle branch block";
  if (c == "S") return "Supraventricular ectopic";
  if (c == "V") return "Ventricular ectopic";
  if (c == "F") return "Fusion";
  if (c == "Q") return "Paced or unclassifiable";
  return "";
}

void beats(Page& p, const json& s) {
  const json* b = object(s, "beats");
  if (!b) return;
  p.section("beats", "Beats per class");
  const auto total = number(*b, "total");
  p.add("<table><thead><tr><th>Class</th><th></th><th>Beats</th><th>Share</th></tr></thead><tbody>\n");
  if (const json* counts = object(*b, "counts")) {
    std::vector<std::string> order;
    for (const char* c : {"N", "S", "V", "F", "Q"})
      if (counts->contains(c)) order.emplace_back(c);
    for (auto it = counts->begin(); it != counts->end(); ++it)
      if (std::find(order.begin(), order.end(), it.key()) == order.end()) order.push_back(it.key());
    for (const std::string& c : order) {
      const auto n = number(*counts, c.c_str());
      const auto share = n && total && *total > 0 ? std::optional<double>(100 * *n / *total) : std::nullopt;
      p.add("<tr><th scope=\"row\">" + esc(c) + "</th><td>" + class_name(c) + "</td><td class=\"n\">" + count(n) +
            "</td><td class=\"n\">" + percent(share) + "</td></tr>\n");
    }
  }
  p.add("<tr><th scope=\"row\">Total</th><td></td><td class=\"n\"><strong>" + count(total) +
        "</strong></td><td></td></tr>\n</tbody></table>\n");
  p.end_section();
}

void ectopy(Page& p, const json& s) {
  const json* v = object(s, "ventricular");
  const json* sv = object(s, "supraventricular");
  const json* eps = array(s, "episodes");
  if (!v && !sv && !eps) return;
  p.section("ectopy", "Ventricular and supraventricular ectopy");
  if (v || sv) {
    p.add("<table><thead><tr><th></th>");
    if (v) p.add("<th>Ventricular</th>");
    if (sv) p.add("<th>Supraventricular</th>");
    p.add("</tr></thead><tbody>\n");
    auto line = [&](const char* name, auto&& format) {
      p.add("<tr><th scope=\"row\">" + std::string(name) + "</th>");
      if (v) p.add("<td class=\"n\">" + format(*v) + "</td>");
      if (sv) p.add("<td class=\"n\">" + format(*sv) + "</td>");
      p.add("</tr>\n");
    };
    line("Burden", [](const json& j) { return percent(number(j, "burden_percent")); });
    line("Isolated beats", [](const json& j) { return count(number(j, "isolated")); });
    line("Couplets", [](const json& j) { return count(number(j, "couplets")); });
    line("Runs (3 or more)", [](const json& j) { return count(number(j, "runs")); });
    line("Longest run", [](const json& j) {
      const auto n = number(j, "longest_run_beats");
      return n ? count(n) + " beats" : kDash;
    });
    line("Fastest run", [](const json& j) { return bpm(number(j, "fastest_run_bpm")); });
    line("Bigeminy episodes", [](const json& j) { return count(number(j, "bigeminy_episodes")); });
    line("Trigeminy episodes", [](const json& j) { return count(number(j, "trigeminy_episodes")); });
    p.add("</tbody></table>\n");
  }
  if (eps) {
    p.add("<h3>Episodes</h3>\n");
    if (eps->empty()) {
      p.add("<p>None</p>\n");
    } else {
      p.add(std::string("<table class=\"") + (eps->size() > 25 ? "long" : "") +
            "\"><thead><tr><th>Type</th><th>Start</th><th>End</th><th>Length</th><th>Beats</th><th>Rate</th></tr></thead><tbody>\n");
      std::size_t shown = 0;
      for (const json& e : *eps) {
        if (shown++ == kMaxTableRows) break;
        const auto a = number(e, "start_s"), z = number(e, "end_s");
        p.add("<tr><td>" + esc_or_dash(text(e, "type")) + "</td><td>" + p.when(a) + "</td><td>" + p.when(z) +
              "</td><td class=\"n\">" + duration(a && z ? std::optional<double>(*z - *a) : std::nullopt) + "</td><td class=\"n\">" +
              count(number(e, "beats")) + "</td><td class=\"n\">" + bpm(number(e, "rate_bpm")) + "</td></tr>\n");
      }
      p.add("</tbody></table>\n");
      if (eps->size() > kMaxTableRows)
        p.add("<p class=\"muted\">\xE2\x80\xA6 and " + std::to_string(eps->size() - kMaxTableRows) + " more.</p>\n");
    }
  }
  p.end_section();
}

void pauses(Page& p, const json& s) {
  const json* pa = object(s, "pauses");
  const json* as = object(s, "asystole");
  if (!pa && !as) return;
  p.section("pauses", "Pauses and asystole");
  p.add("<table><thead><tr><th></th>");
  if (pa) p.add("<th>Pauses</th>");
  if (as) p.add("<th>Asystole</th>");
  p.add("</tr></thead><tbody>\n");
  auto line = [&](const char* name, auto&& format) {
    p.add("<tr><th scope=\"row\">" + std::string(name) + "</th>");
    if (pa) p.add("<td class=\"n\">" + format(*pa) + "</td>");
    if (as) p.add("<td class=\"n\">" + format(*as) + "</td>");
    p.add("</tr>\n");
  };
  line("Threshold (RR at least)", [](const json& j) { return seconds2(number(j, "threshold_s")); });
  line("Count", [](const json& j) { return count(number(j, "count")); });
  line("Longest", [](const json& j) { return seconds2(number(j, "longest_s")); });
  line("Longest at", [&](const json& j) { return p.when(number(j, "longest_time_s")); });
  p.add("</tbody></table>\n");
  p.end_section();
}

void af(Page& p, const json& s) {
  const json* a = object(s, "af");
  if (!a) return;
  p.section("af", "AF/flutter");
  const auto present = boolean(*a, "present");
  p.add("<table><tbody>\n");
  p.row("Present", present ? (*present ? "<span class=\"yes\">Yes</span>" : std::string("No")) : kDash);
  p.row("Burden", percent(number(*a, "burden_percent")));
  p.row("Mean rate in AF/flutter", bpm(number(*a, "mean_rate_bpm")));
  p.add("</tbody></table>\n");
  if (const json* eps = array(*a, "episodes"); eps && !eps->empty()) {
    p.add(std::string("<table class=\"") + (eps->size() > 25 ? "long" : "") +
          "\"><thead><tr><th>Rhythm</th><th>Start</th><th>End</th><th>Length</th><th>Mean rate</th></tr></thead><tbody>\n");
    std::size_t shown = 0;
    for (const json& e : *eps) {
      if (shown++ == kMaxTableRows) break;
      auto len = number(e, "duration_s");
      const auto a0 = number(e, "start_s"), a1 = number(e, "end_s");
      if (!len && a0 && a1) len = *a1 - *a0;
      p.add("<tr><td>" + esc_or_dash(text(e, "label")) + "</td><td>" + p.when(a0) + "</td><td>" + p.when(a1) +
            "</td><td class=\"n\">" + duration(len) + "</td><td class=\"n\">" + bpm(number(e, "mean_rate_bpm")) + "</td></tr>\n");
    }
    p.add("</tbody></table>\n");
    if (eps->size() > kMaxTableRows)
      p.add("<p class=\"muted\">\xE2\x80\xA6 and " + std::to_string(eps->size() - kMaxTableRows) + " more.</p>\n");
  }
  p.end_section();
}

void hrv(Page& p, const json& s) {
  const json* h = object(s, "hrv");
  if (!h) return;
  p.section("hrv", "Heart rate variability (HRV)");
  p.add("<table><tbody>\n");
  p.row("NN intervals", count(number(*h, "nn_intervals")));
  p.row("Mean NN", ms(number(*h, "mean_nn_ms")));
  p.row("SDNN", ms(number(*h, "sdnn_ms")));
  p.row("SDANN", ms(number(*h, "sdann_ms")));
  p.row("SDNN index", ms(number(*h, "sdnn_index_ms")));
  p.row("RMSSD", ms(number(*h, "rmssd_ms")));
  p.row("pNN50", percent(number(*h, "pnn50_percent")));
  p.add("</tbody></table>\n");
  p.end_section();
}

void review(Page& p, const json& s) {
  const json* r = object(s, "review");
  if (!r) return;
  p.section("review", "Beats for review");
  const json* listed = array(*r, "listed");
  p.add("<p>" + count(number(*r, "count")) + " beats with a class probability below " + fixed(number(*r, "threshold"), 2) +
        (listed && !listed->empty() ? "; " + std::to_string(std::min(listed->size(), kMaxTableRows)) + " listed below." : ".") +
        "</p>\n");
  if (listed && !listed->empty()) {
    p.add(std::string("<table class=\"") + (listed->size() > 25 ? "long" : "") +
          "\"><thead><tr><th>Time</th><th>Sample</th><th>Class</th><th>Probability</th></tr></thead><tbody>\n");
    std::size_t shown = 0;
    for (const json& b : *listed) {
      if (shown++ == kMaxTableRows) break;
      p.add("<tr><td>" + p.when(number(b, "time_s")) + "</td><td class=\"n\">" + count(number(b, "sample")) + "</td><td>" +
            esc_or_dash(text(b, "class")) + "</td><td class=\"n\">" + fixed(number(b, "p"), 2) + "</td></tr>\n");
    }
    p.add("</tbody></table>\n");
  }
  p.end_section();
}

void strips(Page& p, const json& s, std::span<const double> lead, double fs) {
  const json* list = array(s, "strips");
  if (!list) return;
  p.section("strips", "ECG strips");
  p.add("<p class=\"muted\">25 mm/s, 10 mm/mV; small squares 1 mm (0.04 s, 0.1 mV), large squares 5 mm (0.2 s, 0.5 mV).</p>\n");
  if (list->empty()) p.add("<p>None</p>\n");
  const bool fs_ok = fs >= 1 && std::isfinite(fs);
  for (const json& st : *list) {
    const std::string title = text(st, "title").value_or("Strip");
    const auto reason = text(st, "reason");
    const auto a = sample_index(st, "start_sample"), z = sample_index(st, "end_sample");
    std::vector<StripBeat> marks;
    if (const json* bl = array(st, "beats"))
      for (const json& b : *bl)
        if (auto at = sample_index(b, "sample")) marks.push_back({*at, text(b, "class").value_or("?")});
    std::string caption = reason ? esc(*reason) : std::string();
    if (!a || !z || !fs_ok || *z <= *a) {
      p.add("<figure class=\"strip\">" + ecg_strip_svg(lead, fs, 0, 0, marks, title) + "<figcaption>" + caption +
            "</figcaption></figure>\n");
      continue;
    }
    const auto row = static_cast<std::int64_t>(std::llround(kStripRowS * fs));
    const bool split = static_cast<double>(*z - *a) / fs > kStripMaxS && row > 0;
    const std::int64_t rows = split ? (*z - *a + row - 1) / row : 1;
    const std::int64_t drawn = std::min<std::int64_t>(rows, kStripMaxRows);
    for (std::int64_t k = 0; k < drawn; ++k) {
      const std::int64_t b = split ? *a + k * row : *a, e = split ? std::min(*z, b + row) : *z;
      const std::string t = rows > 1 ? title + " (" + std::to_string(k + 1) + "/" + std::to_string(rows) + ")" : title;
      std::string cap = hms(static_cast<double>(b) / fs) + "\xE2\x80\x93" + hms(static_cast<double>(e) / fs);
      if (!caption.empty()) cap += " \xC2\xB7 " + caption;
      if (k + 1 == drawn && drawn < rows) cap += " \xC2\xB7 the remaining " + std::to_string(rows - drawn) + " rows not drawn";
      p.add("<figure class=\"strip\">" + ecg_strip_svg(lead, fs, b, e, marks, t) + "<figcaption>" + cap + "</figcaption></figure>\n");
    }
  }
  p.end_section();
}

void definitions(Page& p, const json& s) {
  const json* d = array(s, "definitions");
  if (!d) return;
  p.section("definitions", "Definitions");
  std::string items;
  for (const json& x : *d) {
    const auto def = text(x, "definition");
    if (!def) continue;
    items += "<dt>" + esc_or_dash(text(x, "id")) + "</dt><dd>" + esc(*def) + "</dd>\n";
  }
  p.add(items.empty() ? "<p>" + kDash + "</p>\n" : "<dl class=\"defs\">\n" + items + "</dl>\n");
  p.end_section();
}

// A relative link, percent-encoded; empty for none, or one with a scheme or
// starting "//" (the pages link only to each other).
std::string relative_href(const std::string& link) {
  if (link.empty() || link.rfind("//", 0) == 0) return {};
  const auto colon = link.find(':');
  if (colon != std::string::npos && link.find('/') > colon) return {};
  static const char* hex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : link) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      o += static_cast<char>(c);
    } else {
      o += '%';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

}  // namespace

std::string summary_html(const nlohmann::json& summary, std::span<const double> lead_mv, double fs) {
  Page p;
  p.day0 = start_of_day(summary);
  const auto record = text(summary, "record");
  p.add(page_head("Holter summary" + (record ? " \xE2\x80\x93 " + esc(*record) : std::string())));
  header(p, summary);
  p.add("<main>\n");
  urgent(p, summary);
  heart_rate(p, summary);
  beats(p, summary);
  ectopy(p, summary);
  pauses(p, summary);
  af(p, summary);
  hrv(p, summary);
  review(p, summary);
  strips(p, summary, lead_mv, fs);
  definitions(p, summary);
  p.add("</main>\n");
  p.add(footer_html());
  return std::move(p.o);
}

std::string summary_index_html(const std::vector<nlohmann::json>& summaries, const std::vector<std::string>& links) {
  std::string o = page_head("Holter summaries");
  o += "<header><h1>Holter summaries</h1><p class=\"muted\">" + std::to_string(summaries.size()) +
       (summaries.size() == 1 ? " record" : " records") + "</p></header>\n<main>\n";
  o += std::string("<table class=\"index") + (summaries.size() > 25 ? " long" : "") +
       "\"><thead><tr><th>Record</th><th>Start</th><th>Duration</th><th>Beats</th><th>V burden</th><th>S burden</th>"
       "<th>AF burden</th><th>Urgent findings</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    const json& s = summaries[i];
    const std::string name = esc_or_dash(text(s, "record"));
    const std::string href = i < links.size() ? relative_href(links[i]) : std::string();
    std::string beats_total = kDash, v = kDash, sv = kDash, af = kDash, findings = kDash;
    if (const json* b = object(s, "beats")) beats_total = count(number(*b, "total"));
    if (const json* x = object(s, "ventricular")) v = percent(number(*x, "burden_percent"));
    if (const json* x = object(s, "supraventricular")) sv = percent(number(*x, "burden_percent"));
    if (const json* x = object(s, "af")) af = percent(number(*x, "burden_percent"));
    if (const json* f = array(s, "findings")) {
      const auto n = static_cast<std::size_t>(std::count_if(f->begin(), f->end(), [](const json& x) { return x.is_object(); }));
      findings = n ? "<span class=\"yes\">" + std::to_string(n) + "</span>" : std::string("0");
    }
    const auto dur = number(s, "duration_s");
    o += "<tr><td>" + (href.empty() ? name : "<a href=\"" + href + "\">" + name + "</a>") + "</td><td>" +
         esc_or_dash(text(s, "start")) + "</td><td class=\"n\">" + (dur ? hms(*dur, true) : kDash) + "</td><td class=\"n\">" +
         beats_total + "</td><td class=\"n\">" + v + "</td><td class=\"n\">" + sv + "</td><td class=\"n\">" + af +
         "</td><td class=\"n\">" + findings + "</td></tr>\n";
  }
  o += "</tbody></table>\n</main>\n" + footer_html();
  return o;
}

}  // namespace heartwave
