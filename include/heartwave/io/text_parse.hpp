// Strict number parsing for the text readers (headers, CSV): the whole token
// must be a finite number, or a ParseError naming `where` is thrown.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace heartwave {

std::int64_t parse_int(std::string_view token, const std::string& where, std::string_view what);
double parse_double(std::string_view token, const std::string& where, std::string_view what);
// Splits on spaces and tabs, dropping empty pieces.
std::vector<std::string_view> split_ws(std::string_view line);
// Splits a CSV line on commas into `fields` (cleared first), each trimmed.
void split_commas(std::string_view line, std::vector<std::string_view>& fields);
// Splits text into lines (accepting \n and \r\n).
std::vector<std::string_view> split_lines(std::string_view text);
std::string_view trim(std::string_view s);

}  // namespace heartwave
