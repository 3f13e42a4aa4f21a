#include "ec57_common.hpp"

#include <cmath>
#include <cstdio>

#include "heartwave/core/error.hpp"

namespace heartwave::ec57_detail {

std::optional<double> ratio(double a, double b) {
  if (b <= 0) return std::nullopt;
  return 100.0 * a / b;
}

std::string seconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%g s", s);
  return b;
}

std::string percent(const std::optional<double>& v, int width) {
  char b[32];
  if (v) std::snprintf(b, sizeof b, "%*.2f", width, *v);
  else std::snprintf(b, sizeof b, "%*s", width, "-");
  return b;
}

void check_compare_options(double fs, std::int64_t num_samples, const Ec57Options& options, const std::string& record_name) {
  const std::string where = "ec57: record " + record_name + ": ";
  if (!std::isfinite(fs) || fs <= 0) throw InvalidArgument(where + "sampling frequency must be positive");
  if (!std::isfinite(options.window_s) || options.window_s <= 0 || options.window_s > 10)
    throw InvalidArgument(where + "match window " + seconds(options.window_s) + ": must be above 0 and at most 10 s");
  if (!std::isfinite(options.start_s) || options.start_s < 0)
    throw InvalidArgument(where + "learning period " + seconds(options.start_s) + ": must be 0 or more");
  if (options.end_sample < -1) throw InvalidArgument(where + "end sample must be -1, 0 or a sample number");
  if (num_samples < 0) throw InvalidArgument(where + "negative record length");
}

}  // namespace heartwave::ec57_detail
