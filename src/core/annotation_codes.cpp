#include "heartwave/core/annotation_codes.hpp"

#include <array>

namespace heartwave {
namespace {

struct CodeInfo {
  std::string_view mnemonic;
  bool beat;
};

// Index = anntyp. Codes 42..49 are reserved/user-defined and have no mnemonic.
constexpr std::array<CodeInfo, kMaxAnnotationCode + 1> kCodes = {{
    {"", false},   // 0 NOTQRS
    {"N", true},   // 1 NORMAL
    {"L", true},   // 2 LBBB
    {"R", true},   // 3 RBBB
    {"a", true},   // 4 ABERR
    {"V", true},   // 5 PVC
    {"F", true},   // 6 FUSION
    {"J", true},   // 7 NPC
    {"A", true},   // 8 APC
    {"S", true},   // 9 SVPB
    {"E", true},   // 10 VESC
    {"j", true},   // 11 NESC
    {"/", true},   // 12 PACE
    {"Q", true},   // 13 UNKNOWN
    {"~", false},  // 14 NOISE
    {"", false},   // 15 (unused)
    {"|", false},  // 16 ARFCT
    {"", false},   // 17 (unused)
    {"s", false},  // 18 STCH
    {"T", false},  // 19 TCH
    {"*", false},  // 20 SYSTOLE
    {"D", false},  // 21 DIASTOLE
    {"\"", false}, // 22 NOTE
    {"=", false},  // 23 MEASURE
    {"p", false},  // 24 PWAVE
    {"B", true},   // 25 BBB
    {"^", false},  // 26 PACESP
    {"t", false},  // 27 TWAVE
    {"+", false},  // 28 RHYTHM
    {"u", false},  // 29 UWAVE
    {"?", true},   // 30 LEARN
    {"!", false},  // 31 FLWAV
    {"[", false},  // 32 VFON
    {"]", false},  // 33 VFOFF
    {"e", true},   // 34 AESC
    {"n", true},   // 35 SVESC
    {"@", false},  // 36 LINK
    {"x", false},  // 37 NAPC
    {"f", true},   // 38 PFUS
    {"(", false},  // 39 WFON
    {")", false},  // 40 WFOFF
    {"r", true},   // 41 RONT
    {"", false}, {"", false}, {"", false}, {"", false},
    {"", false}, {"", false}, {"", false}, {"", false},
}};

}  // namespace

std::string_view annotation_mnemonic(int code) noexcept {
  if (code < 0 || code > kMaxAnnotationCode) return {};
  return kCodes[static_cast<std::size_t>(code)].mnemonic;
}

std::optional<int> annotation_code(std::string_view mnemonic) noexcept {
  if (mnemonic.empty()) return std::nullopt;
  for (int c = 0; c <= kMaxAnnotationCode; ++c)
    if (kCodes[static_cast<std::size_t>(c)].mnemonic == mnemonic) return c;
  return std::nullopt;
}

bool is_beat_code(int code) noexcept {
  if (code < 0 || code > kMaxAnnotationCode) return false;
  return kCodes[static_cast<std::size_t>(code)].beat;
}

}  // namespace heartwave
