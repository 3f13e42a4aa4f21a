// A CSV of beats cut from one recording: one beat per line, its R-peak sample
// number then the `width` raw samples of its window (R at a fixed index),
// lines in time order. Two-lead beats carry the second lead's window after
// the first (2 x width samples a line); the first beat's field count decides
// and every line must match it. A first line whose first field is not a
// number is a header and is skipped. Separator ','; blank lines are ignored.
//   r_sample,s0,s1,...,s186                 (one lead)
//   370,-0.145,-0.145,...
//   r_sample,s0,...,s186,t0,...,t186        (two leads)
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace heartwave {

struct BeatsCsv {
  std::size_t width = 0;
  std::size_t leads = 0;               // 1 or 2
  std::vector<std::int64_t> r_sample;  // strictly increasing
  std::vector<double> samples;         // beats x width, row-major
  std::vector<double> samples2;        // the second lead's, beats x width (empty with one lead)
  std::size_t size() const { return r_sample.size(); }
};

// Throws ParseError naming `source` and the line (and field) at fault.
BeatsCsv parse_beats_csv(std::string_view text, std::size_t width, const std::string& source);
BeatsCsv read_beats_csv(const std::filesystem::path& path, std::size_t width);

}  // namespace heartwave
