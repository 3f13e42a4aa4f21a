// CSV signals as exported by other tools: a header row of lead names, then one
// row per sample with one column per lead. The sampling rate is not in the
// file and must be given. Columns named "time", "t", "sample" or "index"
// (any case) are skipped.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "heartwave/core/recording.hpp"

namespace heartwave {

// Throws ParseError naming "source:line" for a malformed row, InvalidArgument
// for a bad sampling rate.
Recording parse_csv_signal(std::string_view text, double fs, const std::string& source);
Recording read_csv_signal(const std::filesystem::path& path, double fs);

}  // namespace heartwave
