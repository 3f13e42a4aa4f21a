// An ECG strip as inline SVG on standard ECG paper: sized in millimetres at
// 25 mm/s and 10 mm/mV (width="250mm" for 10 s, with a viewBox in mm, so the
// strip measures true to scale when printed), light red 1 mm and darker 5 mm
// grid lines, a black trace, each beat marked at its R sample and labelled.
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace heartwave {

struct StripBeat {
  std::int64_t sample;  // the R sample, in the same indexing as lead_mv
  std::string label;    // the class letter ("N", "S", "V", ...); HTML-escaped when drawn
};

// Samples [begin, end) of `lead_mv` (millivolts at `fs` Hz) as one <svg>
// element, `title` on a line above the paper. begin/end are clamped to the
// lead, and at most 120 s are drawn; an empty range or a bad fs (below 1 Hz
// or not finite) gives a small svg saying so. The vertical
// range is centred on the strip's median, at least 20 mm tall, a whole number
// of 5 mm squares, and cut to ignore extreme excursions (which are clipped
// at the edge). Above 500 Hz the trace is decimated to at most 500 points a
// second (the min and max of each bucket, so QRS peaks survive); non-finite
// samples break the trace. Beats outside [begin, end) are not drawn. Never
// throws except std::bad_alloc.
std::string ecg_strip_svg(std::span<const double> lead_mv, double fs, std::int64_t begin, std::int64_t end,
                          std::span<const StripBeat> beats, const std::string& title);

}  // namespace heartwave
