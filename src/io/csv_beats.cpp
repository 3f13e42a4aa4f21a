#include "heartwave/io/csv_beats.hpp"

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/text_parse.hpp"

namespace heartwave {

BeatsCsv parse_beats_csv(std::string_view text, std::size_t width, const std::string& source) {
  if (width == 0) throw InvalidArgument("parse_beats_csv: width must be positive");
  BeatsCsv out;
  out.width = width;
  std::size_t line_no = 0;
  bool first = true;
  std::vector<std::string_view> fields;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    line = trim(line);
    if (line.empty()) continue;
    split_commas(line, fields);
    const std::string where = source + ":" + std::to_string(line_no);
    if (first) {
      first = false;
      const char c = fields[0].empty() ? 'x' : fields[0][0];
      if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) continue;  // a header line
    }
    if (out.leads == 0) {
      const std::size_t n = fields.size();
      if (n == width + 1 || n == 2 * width + 1) {
        out.leads = n == width + 1 ? 1 : 2;
      } else if (n == width || n == 2 * width) {
        out.leads = n == width ? 1 : 2;
        out.timed = false;
      } else {
        throw ParseError(where + ": expected " + std::to_string(width + 1) + " fields (r_sample and " + std::to_string(width) +
                         " samples) or " + std::to_string(2 * width + 1) + " (r_sample and " + std::to_string(width) +
                         " samples of each of two leads), or the same without r_sample (" + std::to_string(width) + " or " +
                         std::to_string(2 * width) + "), found " + std::to_string(n));
      }
    }
    const std::size_t off = out.timed ? 1 : 0;
    if (fields.size() != out.leads * width + off)
      throw ParseError(where + ": expected " + std::to_string(out.leads * width + off) + " fields like the first beat (" +
                       (out.timed ? "r_sample and " : "no r_sample, ") + std::to_string(width) + " samples of " +
                       (out.leads == 1 ? "one lead" : "each of two leads") + "), found " + std::to_string(fields.size()));
    if (out.timed) {
      const std::int64_t r = parse_int(fields[0], where, "r_sample");
      if (r < 0) throw ParseError(where + ": r_sample " + std::to_string(r) + " is negative");
      if (!out.r_sample.empty() && r <= out.r_sample.back())
        throw ParseError(where + ": r_sample " + std::to_string(r) + " does not increase (previous " + std::to_string(out.r_sample.back()) + ")");
      out.r_sample.push_back(r);
    }
    for (std::size_t k = 0; k < width; ++k) out.samples.push_back(parse_double(fields[off + k], where, "sample " + std::to_string(k)));
    if (out.leads == 2)
      for (std::size_t k = 0; k < width; ++k)
        out.samples2.push_back(parse_double(fields[off + width + k], where, "second-lead sample " + std::to_string(k)));
  }
  if (out.samples.empty()) throw ParseError(source + ": no beats");
  return out;
}

BeatsCsv read_beats_csv(const std::filesystem::path& path, std::size_t width) {
  return parse_beats_csv(read_file_text(path), width, path.string());
}

}  // namespace heartwave
