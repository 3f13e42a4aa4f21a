// `heartwave runs report`: several runs compared in one self-contained page.
// Everything is inline (CSS in <style>, charts as inline SVG, no script and
// no URL), so the page can be mailed, archived or opened offline and prints
// on A4 landscape. Every string that comes from a run goes through
// html_escape; every number through num(), which never writes "nan"/"inf".
#include "heartwave/track/report.hpp"

#include "heartwave/core/error.hpp"
#include "heartwave/core/html.hpp"
#include "heartwave/core/version.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace heartwave {
namespace {

const std::string kDash = "\xE2\x80\x94";  // "—", a missing or non-finite value
// Distinguishable on screen and in print (Tableau 10); run i gets kPalette[i % 10].
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr std::size_t kMaxLinePoints = 2000;  // per line; a 100k-point curve would make a page of megabytes
constexpr std::size_t kMaxBarKeys = 40;       // metric keys in the bar chart (the table keeps all)

std::string esc(const std::string& s) { return html_escape(s); }
const char* colour(std::size_t i) { return kPalette[i % std::size(kPalette)]; }

// A value for people: up to 6 significant digits, "—" when not finite.
std::string num(double v) {
  if (!std::isfinite(v)) return kDash;
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}
// An SVG coordinate: one decimal is finer than any screen or printer needs.
std::string c(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.1f", std::isfinite(v) ? v : 0.0);
  return b;
}

// The first `n` bytes of `s`, not cutting a UTF-8 character in two.
std::string prefix(const std::string& s, std::size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}
std::string short_id(const std::string& id) { return prefix(id, 8); }

// "YYYY-MM-DD HH:MM:SS UTC" for milliseconds since the epoch.
std::string utc(std::int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{ms}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(t - day)};
  char b[64];
  std::snprintf(b, sizeof b, "%04d-%02u-%02u %02lld:%02lld:%02lld UTC", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(hms.hours().count()), static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return b;
}

// A run's length: seconds below a minute, else [Nd ]hh:mm:ss.
std::string duration(const RunRecord& r) {
  if (r.end_ms == 0) return r.status == RunStatus::running ? "running" : kDash;
  const std::int64_t ms = r.end_ms - r.start_ms;
  if (ms < 0) return kDash;
  if (ms < 60'000) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f s", static_cast<double>(ms) / 1000.0);
    return b;
  }
  const long long s = ms / 1000;
  char b[64];
  if (s >= 86400)
    std::snprintf(b, sizeof b, "%lldd %02lld:%02lld:%02lld", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
  else
    std::snprintf(b, sizeof b, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return b;
}

std::string swatch(std::size_t i) {
  return std::string("<span class=\"sw\" style=\"background:") + colour(i) + "\"></span>";
}
std::string run_label(const RunRecord& r, std::size_t i) {
  return swatch(i) + "<code title=\"" + esc(r.id) + "\">" + esc(short_id(r.id)) + "</code>";
}

// ---- Axes: ticks at 1, 2 or 5 times a power of ten covering [lo, hi]. ----

struct Axis {
  double lo = 0, hi = 1, step = 1;
  std::vector<double> ticks;
};

Axis nice_axis(double lo, double hi, int target, double min_step = 0) {
  if (!(hi > lo)) {  // one value: open a range around it, so a constant still gets a line
    const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  Axis a;
  const double raw = (hi - lo) / target;
  if (!std::isfinite(raw) || raw <= 0) {  // beyond double's range: plain ends, no rounding
    a.lo = lo, a.hi = hi, a.step = hi - lo;
    a.ticks = {lo, hi};
    return a;
  }
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  a.step = std::max(min_step, (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag);
  a.lo = std::floor(lo / a.step) * a.step;
  a.hi = std::ceil(hi / a.step) * a.step;
  if (!(a.hi > a.lo)) a.hi = a.lo + a.step;
  const auto n = std::min<long long>(std::llround((a.hi - a.lo) / a.step), 50);
  for (long long k = 0; k <= n; ++k) {
    double t = a.lo + static_cast<double>(k) * a.step;
    if (std::abs(t) < a.step * 1e-9) t = 0;  // not "-2.77556e-17"
    a.ticks.push_back(t);
  }
  return a;
}

// ---- Curves. ----

struct Pt {
  double step, value;
};
// key -> one list of finite points per run (empty when the run lacks the key).
using Series = std::map<std::string, std::vector<std::vector<Pt>>>;

Series collect_series(const std::vector<RunCurves>& runs) {
  Series s;
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (const MetricPoint& p : runs[i].points) {
      if (!std::isfinite(p.value)) continue;  // a NaN/inf point is not drawn at all
      auto& per_run = s[p.key];
      per_run.resize(runs.size());
      per_run[i].push_back({static_cast<double>(p.step), p.value});
    }
  for (auto& [key, per_run] : s)
    for (auto& pts : per_run)
      std::stable_sort(pts.begin(), pts.end(), [](const Pt& a, const Pt& b) { return a.step < b.step; });
  return s;
}

bool is_curve(const std::vector<std::vector<Pt>>& per_run) {
  return std::any_of(per_run.begin(), per_run.end(), [](const auto& pts) { return pts.size() > 1; });
}

// At most kMaxLinePoints + 1: every k-th point plus the last, so the line keeps its end.
std::vector<Pt> downsample(const std::vector<Pt>& pts) {
  if (pts.size() <= kMaxLinePoints) return pts;
  const std::size_t k = (pts.size() + kMaxLinePoints - 1) / kMaxLinePoints;
  std::vector<Pt> o;
  o.reserve(kMaxLinePoints + 1);
  for (std::size_t i = 0; i < pts.size(); i += k) o.push_back(pts[i]);
  if ((pts.size() - 1) % k != 0) o.push_back(pts.back());
  return o;
}

std::string curve_svg(const std::string& key, const std::vector<std::vector<Pt>>& per_run,
                      const std::vector<RunCurves>& runs) {
  double x0 = 1e308, x1 = -1e308, y0 = 1e308, y1 = -1e308;
  std::vector<std::size_t> shown;  // runs with the key
  for (std::size_t i = 0; i < per_run.size(); ++i) {
    if (per_run[i].empty()) continue;
    shown.push_back(i);
    for (const Pt& p : per_run[i]) {
      x0 = std::min(x0, p.step), x1 = std::max(x1, p.step);
      y0 = std::min(y0, p.value), y1 = std::max(y1, p.value);
    }
  }
  const Axis ax = nice_axis(x0, x1, 6, 1.0);  // steps are integers: no tick at 0.5
  const Axis ay = nice_axis(y0, y1, 5);
  // The right margin leaves room for the centred last x label ("100000").
  const double W = 640, left = 80, right = 30, top = 12, ph = 220, pw = W - left - right;
  const std::size_t per_row = 4;
  const std::size_t legend_rows = (shown.size() + per_row - 1) / per_row;
  const double legend_y = top + ph + 54, H = legend_y + static_cast<double>(legend_rows) * 16 + 4;
  auto X = [&](double v) { return left + pw * (v - ax.lo) / (ax.hi - ax.lo); };
  auto Y = [&](double v) { return top + ph * (1 - (v - ay.lo) / (ay.hi - ay.lo)); };

  std::string o = "<svg class=\"curve\" data-metric=\"" + esc(key) + "\" viewBox=\"0 0 " + c(W) + " " + c(H) +
                  "\" role=\"img\" aria-label=\"" + esc(key) + " by step\" font-family=\"sans-serif\" font-size=\"14\">";
  o += "<rect x=\"" + c(left) + "\" y=\"" + c(top) + "\" width=\"" + c(pw) + "\" height=\"" + c(ph) +
       "\" fill=\"#fff\" stroke=\"#999\"/>";
  for (double t : ay.ticks) {
    o += "<line x1=\"" + c(left) + "\" x2=\"" + c(left + pw) + "\" y1=\"" + c(Y(t)) + "\" y2=\"" + c(Y(t)) +
         "\" stroke=\"#e6e6e6\"/><text x=\"" + c(left - 5) + "\" y=\"" + c(Y(t) + 4) + "\" text-anchor=\"end\">" + num(t) +
         "</text>";
  }
  for (double t : ax.ticks) {
    o += "<line x1=\"" + c(X(t)) + "\" x2=\"" + c(X(t)) + "\" y1=\"" + c(top) + "\" y2=\"" + c(top + ph + 4) +
         "\" stroke=\"#eee\"/><text x=\"" + c(X(t)) + "\" y=\"" + c(top + ph + 19) + "\" text-anchor=\"middle\">" + num(t) +
         "</text>";
  }
  o += "<text x=\"" + c(left + pw / 2) + "\" y=\"" + c(top + ph + 36) + "\" text-anchor=\"middle\" fill=\"#555\">step</text>";
  o += "<text x=\"14\" y=\"" + c(top + ph / 2) + "\" transform=\"rotate(-90 14 " + c(top + ph / 2) +
       ")\" text-anchor=\"middle\" fill=\"#555\">" + esc(key) + "</text>";
  for (std::size_t i : shown) {
    const std::string run_attr = " class=\"series\" data-run=\"" + esc(runs[i].run.id) + "\"";
    const std::string tip = "<title>" + esc(runs[i].run.id) + "</title>";
    const std::vector<Pt> pts = downsample(per_run[i]);
    if (pts.size() == 1) {  // a line needs two points: one is a dot
      o += "<circle" + run_attr + " cx=\"" + c(X(pts[0].step)) + "\" cy=\"" + c(Y(pts[0].value)) + "\" r=\"3.5\" fill=\"" +
           colour(i) + "\">" + tip + "</circle>";
      continue;
    }
    o += "<polyline" + run_attr + " fill=\"none\" stroke=\"" + colour(i) +
         "\" stroke-width=\"1.6\" stroke-linejoin=\"round\" points=\"";
    for (std::size_t k = 0; k < pts.size(); ++k) {  // appended piece by piece: 2,000 points, no temporaries
      if (k) o += ' ';
      o += c(X(pts[k].step));
      o += ',';
      o += c(Y(pts[k].value));
    }
    o += "\">" + tip + "</polyline>";
  }
  for (std::size_t n = 0; n < shown.size(); ++n) {  // the legend, four runs a row
    const double lx = left + static_cast<double>(n % per_row) * (pw / per_row);
    const double ly = legend_y + static_cast<double>(n / per_row) * 16;
    o += "<rect x=\"" + c(lx) + "\" y=\"" + c(ly - 11) + "\" width=\"14\" height=\"12\" fill=\"" + colour(shown[n]) +
         "\"/><text x=\"" + c(lx + 19) + "\" y=\"" + c(ly) + "\">" + esc(short_id(runs[shown[n]].run.id)) + "</text>";
  }
  return o + "</svg>";
}

// ---- Final metrics: one group of bars per key, each group on its own
// scale (a loss of 300 and an accuracy of 0.9 share no useful axis). ----

std::string finals_svg(const std::vector<std::string>& keys, const std::vector<RunCurves>& runs) {
  const double W = 900, label_w = 230, bar_w = 540, bar_h = 11, gap = 2, pad = 10;
  const double group_h = static_cast<double>(runs.size()) * (bar_h + gap) + pad;
  const double H = static_cast<double>(keys.size()) * group_h + pad;
  std::string o = "<svg class=\"finals\" viewBox=\"0 0 " + c(W) + " " + c(H) +
                  "\" role=\"img\" aria-label=\"Final metrics per run\" font-family=\"sans-serif\" font-size=\"12\">";
  for (std::size_t g = 0; g < keys.size(); ++g) {
    const std::string& key = keys[g];
    const double gy = pad + static_cast<double>(g) * group_h;
    double lo = 0, hi = 0;
    for (const RunCurves& r : runs)
      if (auto it = r.run.metrics.find(key); it != r.run.metrics.end() && std::isfinite(it->second))
        lo = std::min(lo, it->second), hi = std::max(hi, it->second);
    if (!(hi > lo)) hi = lo + 1;  // all zero: bars of no length on a unit scale
    auto X = [&](double v) { return label_w + bar_w * (v - lo) / (hi - lo); };
    const double group_mid = gy + (group_h - pad) / 2;
    o += "<text x=\"" + c(label_w - 8) + "\" y=\"" + c(group_mid + 4) + "\" text-anchor=\"end\">" +
         esc(key.size() > 34 ? prefix(key, 32) + "\xE2\x80\xA6" : key) + "<title>" + esc(key) + "</title></text>";
    o += "<line x1=\"" + c(X(0)) + "\" x2=\"" + c(X(0)) + "\" y1=\"" + c(gy - 1) + "\" y2=\"" + c(gy + group_h - pad) +
         "\" stroke=\"#999\"/>";
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const double by = gy + static_cast<double>(i) * (bar_h + gap);
      const auto it = runs[i].run.metrics.find(key);
      const bool has = it != runs[i].run.metrics.end() && std::isfinite(it->second);
      if (has) {
        const double a = X(std::min(0.0, it->second)), b = X(std::max(0.0, it->second));
        o += "<rect data-metric=\"" + esc(key) + "\" data-run=\"" + esc(runs[i].run.id) + "\" x=\"" + c(a) + "\" y=\"" +
             c(by) + "\" width=\"" + c(std::max(b - a, 0.8)) + "\" height=\"" + c(bar_h) + "\" fill=\"" + colour(i) +
             "\"><title>" + esc(runs[i].run.id) + ": " + num(it->second) + "</title></rect>";
      }
      o += "<text x=\"" + c(label_w + bar_w + 8) + "\" y=\"" + c(by + bar_h - 2) + "\" fill=\"" + colour(i) + "\">" +
           (it == runs[i].run.metrics.end() ? kDash : num(it->second)) + "</text>";
    }
  }
  return o + "</svg>";
}

// ---- The page. ----

const char* kCss = R"CSS(
h2 { font-size: 12pt; margin: 6mm 0 2mm; padding-bottom: 0.5mm; border-bottom: 0.4mm solid #1f4e79; color: #1f4e79;
     break-after: avoid; page-break-after: avoid }
table { border-collapse: collapse; margin: 1mm 0 2mm }
th, td { border: 0.25mm solid #c8c8c8; padding: 0.6mm 2mm; text-align: left; vertical-align: top }
thead th { background: #eef2f6; white-space: nowrap }
tbody th { font-weight: normal; color: #333; background: #f8f9fa; min-width: 30mm; max-width: 70mm; overflow-wrap: anywhere }
.wide { overflow-x: auto; max-width: 100% }
td.n { text-align: right; font-variant-numeric: tabular-nums }
td.v { max-width: 60mm; overflow-wrap: anywhere }
td.cmd { max-width: 80mm; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-family: monospace }
tr { break-inside: avoid; page-break-inside: avoid }
tr.diff td, tr.diff th { background: #fff3a8 }
.sw { display: inline-block; width: 3mm; height: 3mm; margin-right: 1.5mm; vertical-align: -0.3mm; border-radius: 0.5mm }
.muted { color: #666 }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(125mm, 1fr)); gap: 4mm }
figure { margin: 0 0 3mm; break-inside: avoid; page-break-inside: avoid }
figcaption { font-weight: bold; margin-bottom: 1mm }
svg { display: block; width: 100%; height: auto; break-inside: avoid; page-break-inside: avoid }
svg.finals { max-width: 250mm }
footer { margin-top: 6mm; padding-top: 1mm; border-top: 0.25mm solid #999; color: #666; font-size: 8.5pt }
)CSS";

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void header(std::string& o, const std::vector<RunCurves>& runs, const RunsReportOptions& opt) {
  o += "<header>\n<h1>" + esc(opt.title) + "</h1>\n<table><tbody>\n";
  o += "<tr><th scope=\"row\">Store</th><td>" + (opt.store.empty() ? kDash : esc(opt.store)) + "</td></tr>\n";
  o += "<tr><th scope=\"row\">Generated</th><td>" + utc(opt.generated_ms ? opt.generated_ms : now_ms()) + "</td></tr>\n";
  o += "<tr><th scope=\"row\">heartwave</th><td>" + esc(version_string()) + "</td></tr>\n";
  o += "<tr><th scope=\"row\">Runs</th><td class=\"n\">" + std::to_string(runs.size()) + "</td></tr>\n";
  o += "</tbody></table>\n</header>\n";
}

void runs_table(std::string& o, const std::vector<RunCurves>& runs) {
  o += "<section id=\"runs\"><h2>Runs</h2>\n<div class=\"wide\"><table><thead><tr><th>Run</th><th>Experiment</th><th>Status</th>"
       "<th>Start</th><th>Duration</th><th>Git commit</th><th>Command</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i].run;
    const std::string commit = r.git_commit.empty() ? kDash : esc(prefix(r.git_commit, 12)) + (r.git_dirty ? " (dirty)" : "");
    o += "<tr><td>" + run_label(r, i) + "</td><td>" + esc(r.experiment) + "</td><td>" + run_status_name(r.status) +
         "</td><td>" + (r.start_ms ? utc(r.start_ms) : kDash) + "</td><td class=\"n\">" + duration(r) + "</td><td><code>" +
         commit + "</code></td><td class=\"cmd\" title=\"" + esc(r.command) + "\">" + esc(r.command) + "</td></tr>\n";
  }
  o += "</tbody></table></div></section>\n";
}

void params_table(std::string& o, const std::vector<RunCurves>& runs) {
  std::set<std::string> keys;
  for (const RunCurves& r : runs)
    for (const auto& [k, v] : r.run.params) keys.insert(k);
  o += "<section id=\"params\"><h2>Parameters</h2>\n";
  if (keys.empty()) {
    o += "<p class=\"muted\">No parameters.</p></section>\n";
    return;
  }
  std::string rows;
  std::size_t differ = 0;
  for (const std::string& k : keys) {
    // The key comes from some run, so a row is equal only when every run has it with one value.
    const auto first = runs[0].run.params.find(k);
    bool same = first != runs[0].run.params.end();
    std::string cells;
    for (const RunCurves& r : runs) {
      const auto it = r.run.params.find(k);
      if (it == r.run.params.end()) {
        same = false;
        cells += "<td class=\"v muted\">" + kDash + "</td>";
      } else {
        if (same && it->second != first->second) same = false;
        cells += "<td class=\"v\">" + esc(it->second) + "</td>";
      }
    }
    differ += same ? 0 : 1;
    rows += std::string(same ? "<tr data-diff=\"0\">" : "<tr class=\"diff\" data-diff=\"1\">") + "<th scope=\"row\">" +
            esc(k) + "</th>" + cells + "</tr>\n";
  }
  o += "<p>" + std::to_string(differ) + " of " + std::to_string(keys.size()) +
       " parameters differ (highlighted).</p>\n<div class=\"wide\"><table><thead><tr><th>Parameter</th>";
  for (std::size_t i = 0; i < runs.size(); ++i) o += "<th>" + run_label(runs[i].run, i) + "</th>";
  o += "</tr></thead><tbody>\n" + rows + "</tbody></table></div></section>\n";
}

void curves(std::string& o, const std::vector<RunCurves>& runs) {
  o += "<section id=\"curves\"><h2>Training curves</h2>\n";
  const Series series = collect_series(runs);
  std::string charts;
  for (const auto& [key, per_run] : series)
    if (is_curve(per_run))
      charts += "<figure><figcaption>" + esc(key) + "</figcaption>" + curve_svg(key, per_run, runs) + "</figure>\n";
  o += charts.empty() ? "<p class=\"muted\">No metric was logged at more than one step.</p>\n"
                      : "<div class=\"charts\">\n" + charts + "</div>\n";
  o += "</section>\n";
}

void finals(std::string& o, const std::vector<RunCurves>& runs) {
  std::set<std::string> key_set;
  for (const RunCurves& r : runs)
    for (const auto& [k, v] : r.run.metrics) key_set.insert(k);
  o += "<section id=\"finals\"><h2>Final metrics</h2>\n";
  if (key_set.empty()) {
    o += "<p class=\"muted\">No final metrics.</p></section>\n";
    return;
  }
  const std::vector<std::string> keys(key_set.begin(), key_set.end());
  o += "<div class=\"wide\"><table><thead><tr><th>Metric</th>";
  for (std::size_t i = 0; i < runs.size(); ++i) o += "<th>" + run_label(runs[i].run, i) + "</th>";
  o += "</tr></thead><tbody>\n";
  for (const std::string& k : keys) {
    o += "<tr><th scope=\"row\">" + esc(k) + "</th>";
    for (const RunCurves& r : runs) {
      const auto it = r.run.metrics.find(k);
      o += "<td class=\"n\">" + (it == r.run.metrics.end() ? kDash : num(it->second)) + "</td>";
    }
    o += "</tr>\n";
  }
  o += "</tbody></table></div>\n";
  const std::vector<std::string> charted(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), kMaxBarKeys)));
  if (charted.size() < keys.size())
    o += "<p class=\"muted\">The chart shows the first " + std::to_string(charted.size()) + " of " +
         std::to_string(keys.size()) + " metrics (sorted by name); the table above lists them all.</p>\n";
  o += "<figure>" + finals_svg(charted, runs) + "</figure>\n</section>\n";
}

}  // namespace

std::string runs_report_html(const std::vector<RunCurves>& runs, const RunsReportOptions& options) {
  if (runs.empty()) throw InvalidArgument("runs report: no runs to compare (select at least one run)");
  std::string o = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                  esc(options.title) + "</title>\n<style>" + kA4PageCss + kCss + "</style>\n</head>\n<body>\n";
  header(o, runs, options);
  runs_table(o, runs);
  params_table(o, runs);
  curves(o, runs);
  finals(o, runs);
  o += "<footer>Generated by heartwave " + esc(version_string()) + ".</footer>\n</body>\n</html>\n";
  return o;
}

}  // namespace heartwave
