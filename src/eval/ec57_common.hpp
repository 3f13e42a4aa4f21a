// Helpers shared by the EC57 comparisons (beats, runs, episodes): not part
// of the public API.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "heartwave/eval/ec57.hpp"

namespace heartwave::ec57_detail {

// 100 a / b; undefined when b is not positive.
std::optional<double> ratio(double a, double b);
// "%g s".
std::string seconds(double s);
// A percentage right-aligned in `width` columns, "-" when undefined.
std::string percent(const std::optional<double>& v, int width);
// InvalidArgument naming the record for a bad rate, window, learning period,
// end sample or record length.
void check_compare_options(double fs, std::int64_t num_samples, const Ec57Options& options, const std::string& record_name);

}  // namespace heartwave::ec57_detail
