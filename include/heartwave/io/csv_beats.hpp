// A CSV of beats cut from one recording: one beat per line, its R-peak sample
// number then the `width` raw samples of its window (R at a fixed index),
// lines in time order. Two-lead beats carry the second lead's window after
// the first (2 x width samples a line). Beats without times carry the
// window(s) alone (width or 2 x width fields): independent beats, in any
// order, possibly from different recordings, which only models that read
// nothing but the beat itself can classify. The first beat's field count
// decides the layout and every line must match it. A first line whose first
// field is not a number is a header and is skipped. Separator ','; blank
// lines are ignored.
//   r_sample,s0,s1,...,s186                 (one lead)
//   370,-0.145,-0.145,...
//   r_sample,s0,...,s186,t0,...,t186        (two leads)
//   s0,s1,...,s186                          (one lead, no times)
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
  bool timed = true;                   // false: the lines carry no r_sample
  std::vector<std::int64_t> r_sample;  // strictly increasing (empty when not timed)
  std::vector<double> samples;         // beats x width, row-major
  std::vector<double> samples2;        // the second lead's, beats x width (empty with one lead)
  std::size_t size() const { return width ? samples.size() / width : 0; }
};

// Throws ParseError naming `source` and the line (and field) at fault.
BeatsCsv parse_beats_csv(std::string_view text, std::size_t width, const std::string& source);
BeatsCsv read_beats_csv(const std::filesystem::path& path, std::size_t width);

}  // namespace heartwave
