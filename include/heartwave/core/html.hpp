// Escaping text for HTML and SVG: the one rule every page heartwave writes
// (report.html, summary.html, the index) follows.
#pragma once
#include <string>
#include <string_view>

namespace heartwave {

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
