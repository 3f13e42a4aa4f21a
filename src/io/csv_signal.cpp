#include "heartwave/io/csv_signal.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/text_parse.hpp"

namespace heartwave {
namespace {

std::vector<std::string_view> split_fields(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t p = line.find(sep, start);
    out.push_back(trim(line.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start)));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

bool is_index_column(std::string_view name) {
  std::string lower(name);
  if (lower.size() >= 2 && lower.front() == '"' && lower.back() == '"') lower = lower.substr(1, lower.size() - 2);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "time" || lower == "t" || lower == "sample" || lower == "index";
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

}  // namespace

Recording parse_csv_signal(std::string_view text, double fs, const std::string& source) {
  if (!(fs > 0.0) || fs > 1e6 || !std::isfinite(fs))
    throw InvalidArgument(source + ": sampling frequency " + std::to_string(fs) + " out of range (0, 1e6] Hz");
  const auto lines = split_lines(text);
  std::size_t first = 0;
  while (first < lines.size() && trim(lines[first]).empty()) ++first;
  if (first == lines.size()) throw ParseError(source + ": empty CSV file (no header row)");
  const std::string_view header_line = lines[first];
  const char sep = header_line.find(',') != std::string_view::npos ? ','
                   : header_line.find(';') != std::string_view::npos ? ';' : '\t';
  const auto names = split_fields(header_line, sep);
  Recording r;
  r.name = std::filesystem::path(source).stem().string();
  r.fs = fs;
  std::vector<std::size_t> keep;
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (is_index_column(names[c])) continue;
    if (names[c].empty())
      throw ParseError(source + ":" + std::to_string(first + 1) + ": column " + std::to_string(c + 1) +
                       " has no lead name");
    keep.push_back(c);
    r.leads.push_back(unquote(names[c]));
    r.units.emplace_back("mV");
  }
  if (keep.empty()) throw ParseError(source + ":" + std::to_string(first + 1) + ": no lead columns in header row");
  r.samples.resize(keep.size());
  for (std::size_t ln = first + 1; ln < lines.size(); ++ln) {
    if (trim(lines[ln]).empty()) continue;
    const auto fields = split_fields(lines[ln], sep);
    const std::string where = source + ":" + std::to_string(ln + 1);
    if (fields.size() != names.size())
      throw ParseError(where + ": expected " + std::to_string(names.size()) + " fields, found " +
                       std::to_string(fields.size()));
    for (std::size_t k = 0; k < keep.size(); ++k) {
      const std::string_view f = fields[keep[k]];
      r.samples[k].push_back(f.empty() || f == "NaN" || f == "nan" ? std::nan("")
                                                                  : parse_double(f, where, "sample value"));
    }
  }
  if (r.samples[0].empty()) throw ParseError(source + ": no sample rows after the header row");
  return r;
}

Recording read_csv_signal(const std::filesystem::path& path, double fs) {
  return parse_csv_signal(read_file_text(path), fs, path.string());
}

}  // namespace heartwave
