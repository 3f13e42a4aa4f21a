#include "params.hpp"

#include <cmath>
#include <cstdio>

#include "heartwave/core/error.hpp"
#include "heartwave/core/json_checks.hpp"

namespace heartwave::params {
namespace {

const nlohmann::json& value_of(const nlohmann::json& p, const char* key, const std::string& family) {
  if (!p.is_object() || !p.contains(key)) throw InvalidArgument(family + ": parameter '" + key + "' is missing");
  return p[key];
}

[[noreturn]] void bad(const char* key, const std::string& family, const std::string& want, const nlohmann::json& got) {
  std::string shown = got.dump();
  if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
  throw InvalidArgument(family + ": parameter '" + key + "' must be " + want + ", got " + shown);
}

std::string range(std::int64_t lo, std::int64_t hi) {
  return "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

std::string number_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

std::int64_t integer(const nlohmann::json& p, const char* key, const std::string& family, std::int64_t lo, std::int64_t hi) {
  const auto& v = value_of(p, key, family);
  const auto out = json_integer_in(v, lo, hi);
  if (!out) bad(key, family, range(lo, hi), v);
  return *out;
}

double number(const nlohmann::json& p, const char* key, const std::string& family, double lo, double hi, bool lo_open) {
  const auto& v = value_of(p, key, family);
  const double x = v.is_number() ? v.get<double>() : NAN;
  const bool above = lo_open ? x > lo : x >= lo;
  if (!std::isfinite(x) || !above || !(x <= hi))
    bad(key, family, std::string("a number in ") + (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) + "]", v);
  return x;
}

bool boolean(const nlohmann::json& p, const char* key, const std::string& family) {
  const auto& v = value_of(p, key, family);
  if (!v.is_boolean()) bad(key, family, "true or false", v);
  return v.get<bool>();
}

std::string choice(const nlohmann::json& p, const char* key, const std::string& family,
                   std::initializer_list<const char*> allowed) {
  const auto& v = value_of(p, key, family);
  std::string list;
  for (const char* a : allowed) {
    if (v.is_string() && v.get<std::string>() == a) return a;
    list += std::string(list.empty() ? "" : " or ") + "\"" + a + "\"";
  }
  bad(key, family, list, v);
}

std::vector<std::int64_t> integer_list(const nlohmann::json& p, const char* key, const std::string& family, std::int64_t lo,
                                       std::int64_t hi) {
  const auto& v = value_of(p, key, family);
  const std::string want = "a list of integers in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (!v.is_array()) bad(key, family, want, v);
  std::vector<std::int64_t> out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto x = json_integer_in(v[i], lo, hi);
    if (!x)
      throw InvalidArgument(family + ": parameter '" + key + "' must be " + want + "; element " + std::to_string(i) + " is " +
                            v[i].dump().substr(0, 40));
    out.push_back(*x);
  }
  return out;
}

}  // namespace heartwave::params
