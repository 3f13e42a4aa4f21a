#include "heartwave/core/html.hpp"
#include "heartwave/holter/ecg_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace heartwave {
namespace {

constexpr double kMmPerS = 25.0;    // paper speed
constexpr double kMmPerMv = 10.0;   // gain
constexpr double kMaxPointsPerS = 500.0;
constexpr double kTop = 12.0;       // mm above the paper: the title line and the beat labels
constexpr double kMinHalfMv = 1.0;  // at least 20 mm of paper
constexpr double kMaxHalfMv = 4.0;  // at most 80 mm
constexpr double kMaxSeconds = 120; // a longer strip is cut (3 m of paper)

std::string esc(const std::string& s) { return html_escape(s); }

// Millimetres with at most two decimals, trailing zeros dropped ("250", "12.5").
std::string mm(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.2f", v);
  std::string s = b;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

const char* label_colour(const std::string& label) {
  if (label == "V") return "#c00000";
  if (label == "S") return "#0050b0";
  if (label == "F") return "#8000a0";
  if (label == "Q") return "#707070";
  return "#000000";
}

std::string empty_svg(const std::string& title, const char* why) {
  std::string o = "<svg class=\"ecg-strip\" width=\"100mm\" height=\"20mm\" viewBox=\"0 0 100 20\" role=\"img\" aria-label=\"" +
                  esc(title) + "\" font-family=\"sans-serif\">";
  o += "<text x=\"0\" y=\"4.5\" font-size=\"3.6\" font-weight=\"bold\">" + esc(title) + "</text>";
  o += "<text x=\"0\" y=\"12\" font-size=\"3.2\" fill=\"#666666\">" + std::string(why) + "</text></svg>";
  return o;
}

}  // namespace

std::string ecg_strip_svg(std::span<const double> lead_mv, double fs, std::int64_t begin, std::int64_t end,
                          std::span<const StripBeat> beats, const std::string& title) {
  const auto n = static_cast<std::int64_t>(lead_mv.size());
  begin = std::clamp<std::int64_t>(begin, 0, n);
  end = std::clamp<std::int64_t>(end, begin, n);
  if (!(fs >= 1) || !std::isfinite(fs)) return empty_svg(title, "no sampling rate");
  if (end <= begin) return empty_svg(title, "no samples in this strip");
  if (static_cast<double>(end - begin) > kMaxSeconds * fs) end = begin + static_cast<std::int64_t>(kMaxSeconds * fs);

  const double width = static_cast<double>(end - begin) / fs * kMmPerS;
  auto x_of = [&](double sample) { return (sample - static_cast<double>(begin)) / fs * kMmPerS; };

  // The vertical range: centred on the median; half-height from the largest
  // excursion, unless a few samples go far beyond the bulk (an artefact):
  // then 1.5 times the 99.8th percentile of |v - median|, the rest clipped.
  std::vector<double> v;
  v.reserve(static_cast<std::size_t>(end - begin));
  for (std::int64_t i = begin; i < end; ++i)
    if (std::isfinite(lead_mv[static_cast<std::size_t>(i)])) v.push_back(lead_mv[static_cast<std::size_t>(i)]);
  double median = 0, half = kMinHalfMv;
  if (!v.empty()) {
    auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    median = *mid;
    for (double& x : v) x = std::abs(x - median);
    const double largest = *std::max_element(v.begin(), v.end());
    auto q = v.begin() + static_cast<std::ptrdiff_t>(std::min(v.size() - 1, static_cast<std::size_t>(0.998 * static_cast<double>(v.size()))));
    std::nth_element(v.begin(), q, v.end());
    const double extent = std::min(largest, 1.5 * *q) + 0.1;
    half = std::clamp(std::ceil(extent / 0.5) * 0.5, kMinHalfMv, kMaxHalfMv);  // whole 5 mm squares
  }
  const double height = 2 * half * kMmPerMv;
  const double total_h = kTop + height;
  auto y_of = [&](double mv) { return kTop + std::clamp(height / 2 - (mv - median) * kMmPerMv, 0.0, height); };

  std::string o;
  o.reserve(4096 + static_cast<std::size_t>(end - begin) * 16);
  o += "<svg class=\"ecg-strip\" width=\"" + mm(width) + "mm\" height=\"" + mm(total_h) + "mm\" viewBox=\"0 0 " + mm(width) +
       " " + mm(total_h) + "\" role=\"img\" aria-label=\"" + esc(title) + "\" font-family=\"sans-serif\">";
  o += "<text x=\"0\" y=\"4.5\" font-size=\"3.6\"><tspan font-weight=\"bold\">" + esc(title) +
       "</tspan><tspan fill=\"#666666\" font-size=\"3\"> \xE2\x80\x94 25 mm/s, 10 mm/mV</tspan></text>";

  // The paper.
  o += "<rect x=\"0\" y=\"" + mm(kTop) + "\" width=\"" + mm(width) + "\" height=\"" + mm(height) + "\" fill=\"#fffafa\"/>";
  std::string minor, major;
  const std::string vertical = " " + mm(kTop) + "V" + mm(total_h), horizontal = "H" + mm(width);
  for (int i = 0; i <= static_cast<int>(std::floor(width + 1e-9)); ++i) {
    std::string& d = i % 5 ? minor : major;
    d += 'M';
    d += std::to_string(i);
    d += vertical;
  }
  for (int j = 0; j <= static_cast<int>(std::lround(height)); ++j) {
    std::string& d = j % 5 ? minor : major;
    d += "M0 ";
    d += mm(kTop + j);
    d += horizontal;
  }
  o += "<path class=\"grid-minor\" d=\"" + minor + "\" stroke=\"#f6c4c4\" stroke-width=\"0.1\" fill=\"none\"/>";
  o += "<path class=\"grid-major\" d=\"" + major + "\" stroke=\"#e08c8c\" stroke-width=\"0.25\" fill=\"none\"/>";

  // The trace: every sample up to 500 Hz; above, the min and max of each
  // bucket of ceil(2 fs / 500) samples, in time order. A non-finite sample
  // ends the polyline.
  const std::int64_t bucket = fs > kMaxPointsPerS ? static_cast<std::int64_t>(std::ceil(2 * fs / kMaxPointsPerS)) : 1;
  std::string pts;
  auto flush = [&] {
    if (!pts.empty()) o += "<polyline class=\"trace\" points=\"" + pts + "\" fill=\"none\" stroke=\"#000000\" stroke-width=\"0.3\" stroke-linejoin=\"round\"/>";
    pts.clear();
  };
  auto add = [&](std::int64_t i) {
    if (!pts.empty()) pts += ' ';
    pts += mm(x_of(static_cast<double>(i))) + "," + mm(y_of(lead_mv[static_cast<std::size_t>(i)]));
  };
  for (std::int64_t b = begin; b < end; b += bucket) {
    const std::int64_t e = std::min(end, b + bucket);
    std::int64_t lo = -1, hi = -1;
    bool broken = false;
    for (std::int64_t i = b; i < e; ++i) {
      const double x = lead_mv[static_cast<std::size_t>(i)];
      if (!std::isfinite(x)) { broken = true; continue; }
      if (lo < 0 || x < lead_mv[static_cast<std::size_t>(lo)]) lo = i;
      if (hi < 0 || x > lead_mv[static_cast<std::size_t>(hi)]) hi = i;
    }
    if (broken) flush();
    if (lo < 0) continue;
    if (bucket == 1 || lo == hi) {
      add(lo);
    } else {
      add(std::min(lo, hi));
      add(std::max(lo, hi));
    }
  }
  flush();

  // The beats: a tick at the top edge of the paper and the class letter above it.
  for (const StripBeat& beat : beats) {
    if (beat.sample < begin || beat.sample >= end) continue;
    const std::string x = mm(x_of(static_cast<double>(beat.sample)));
    o += "<path class=\"beat-mark\" d=\"M" + x + " " + mm(kTop - 1.6) + "V" + mm(kTop + 1.2) +
         "\" stroke=\"#404040\" stroke-width=\"0.3\"/>";
    o += "<text class=\"beat-label\" x=\"" + x + "\" y=\"" + mm(kTop - 2.2) + "\" font-size=\"3\" text-anchor=\"middle\" fill=\"" +
         label_colour(beat.label) + "\">" + esc(beat.label) + "</text>";
  }
  o += "</svg>";
  return o;
}

}  // namespace heartwave
