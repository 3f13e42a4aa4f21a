// WFDB annotation codes (anntyp), their mnemonics, and which are beats.
// The table follows the codes defined by the WFDB Software Package
// (ecgcodes.h); mnemonics are the one-character strings used by rdann.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace heartwave {

inline constexpr int kMaxAnnotationCode = 49;  // ACMAX in WFDB

// Mnemonic of an annotation code ("N", "V", "+", ...); "" for unused codes.
std::string_view annotation_mnemonic(int code) noexcept;
// Code for a mnemonic; nullopt if unknown.
std::optional<int> annotation_code(std::string_view mnemonic) noexcept;
// True for codes that denote a QRS complex (WFDB's isqrs table).
bool is_beat_code(int code) noexcept;

}  // namespace heartwave
