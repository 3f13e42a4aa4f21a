// Escaping text for HTML and SVG: the one rule every page heartwave writes
// (report.html, summary.html, the index) follows.
#pragma once
#include <string>
#include <string_view>

namespace heartwave {

// The start of the style sheet of every page heartwave writes to be printed
// (summary.html, runs reports): A4 landscape, colours kept in print, one
// body width on screen and paper.
inline constexpr const char* kA4PageCss = R"CSS(
@page { size: A4 landscape; margin: 10mm }
* { box-sizing: border-box }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact }
body { font-family: sans-serif; font-size: 10pt; line-height: 1.3; color: #111; background: #fff;
       max-width: 277mm; margin: 0 auto; padding: 6mm 0 }
@media print { body { max-width: none; padding: 0 } }
h1 { font-size: 16pt; margin: 0 0 2mm }
)CSS";

// < > & " ' as character references; everything else as it is.
inline std::string html_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

}  // namespace heartwave
