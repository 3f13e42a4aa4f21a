// Private to src/models: a family's parameters read with their type and range
// checked, so that a --params file or a model file's stored parameters that do
// not fit give an InvalidArgument naming the family, the parameter, what it
// must be and what it was, never a JSON library exception or a floating-point
// value converted to an integer unchecked (undefined behaviour out of range).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace heartwave::params {

// An integer in [lo, hi]: a JSON integer only (6.0 and 6.5 are refused, as
// XGBoost would refuse them later, after the data is read).
std::int64_t integer(const nlohmann::json& p, const char* key, const std::string& family, std::int64_t lo, std::int64_t hi);

// A finite number in [lo, hi] (an integer is a number); with `lo_open`, in (lo, hi].
double number(const nlohmann::json& p, const char* key, const std::string& family, double lo, double hi, bool lo_open = false);

bool boolean(const nlohmann::json& p, const char* key, const std::string& family);

// One of `allowed`.
std::string choice(const nlohmann::json& p, const char* key, const std::string& family,
                   std::initializer_list<const char*> allowed);

// A list of integers, each in [lo, hi].
std::vector<std::int64_t> integer_list(const nlohmann::json& p, const char* key, const std::string& family, std::int64_t lo,
                                       std::int64_t hi);

}  // namespace heartwave::params
