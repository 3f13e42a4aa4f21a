// Checked reads of JSON numbers. nlohmann converts a floating-point number to
// an integer unchecked (undefined behaviour out of range) and accepts 6.5
// where an integer belongs; these say whether a value really is one.
#pragma once
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace heartwave {

// The integer `v` holds, if it is a JSON integer (not 6.0, not 6.5) within
// [lo, hi]; nullopt otherwise. A parsed non-negative integer is stored
// unsigned, one set in code signed: both count.
inline std::optional<std::int64_t> json_integer_in(const nlohmann::json& v, std::int64_t lo, std::int64_t hi) {
  if (v.is_number_unsigned()) {
    const std::uint64_t u = v.get<std::uint64_t>();
    if (hi < 0 || u > static_cast<std::uint64_t>(hi)) return std::nullopt;
    const auto s = static_cast<std::int64_t>(u);
    return s >= lo ? std::optional<std::int64_t>(s) : std::nullopt;
  }
  if (!v.is_number_integer()) return std::nullopt;
  const std::int64_t s = v.get<std::int64_t>();
  return s >= lo && s <= hi ? std::optional<std::int64_t>(s) : std::nullopt;
}

// A seed: any JSON integer from 0 to 2^64 - 1 (not 6.0, not negative).
// Seeds are unsigned 64-bit everywhere, so a file may hold one above 2^63.
inline std::optional<std::uint64_t> json_seed(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return std::nullopt;
}

}  // namespace heartwave
