#include "heartwave/beats/label_sets.hpp"

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/error.hpp"

namespace heartwave {
namespace {

struct Member {
  std::string_view mnemonic;
  int cls;
};

constexpr std::array<Member, 19> kSeed = {{
    {"N", 0}, {".", 0}, {"L", 0}, {"R", 0}, {"e", 0}, {"j", 0},
    {"A", 1}, {"a", 1}, {"J", 1}, {"S", 1},
    {"V", 2}, {"E", 2},
    {"F", 3},
    {"/", 4}, {"f", 4}, {"x", 4}, {"Q", 4}, {"|", 4}, {"~", 4},
}};

constexpr std::array<Member, 15> kAami = {{
    {"N", 0}, {"L", 0}, {"R", 0}, {"e", 0}, {"j", 0},
    {"A", 1}, {"a", 1}, {"J", 1}, {"S", 1},
    {"V", 2}, {"E", 2},
    {"F", 3},
    {"/", 4}, {"f", 4}, {"Q", 4},
}};

template <std::size_t N>
std::optional<int> lookup(const std::array<Member, N>& table, int code) {
  const std::string_view m = annotation_mnemonic(code);
  if (m.empty()) return std::nullopt;
  for (const auto& e : table)
    if (e.mnemonic == m) return e.cls;
  return std::nullopt;
}

}  // namespace

LabelSet parse_label_set(std::string_view name) {
  if (name == "seed") return LabelSet::seed;
  if (name == "aami") return LabelSet::aami;
  throw InvalidArgument("unknown label set '" + std::string(name) + "' (seed, aami)");
}

std::string_view to_string(LabelSet set) noexcept { return set == LabelSet::seed ? "seed" : "aami"; }

std::optional<int> class_of(LabelSet set, int code) noexcept {
  return set == LabelSet::seed ? lookup(kSeed, code) : lookup(kAami, code);
}

std::string_view class_name(int cls) noexcept {
  static constexpr std::array<std::string_view, kNumClasses> names = {"N", "S", "V", "F", "Q"};
  return cls >= 0 && cls < kNumClasses ? names[static_cast<std::size_t>(cls)] : "?";
}

std::string class_members(LabelSet set, int cls) {
  std::string out;
  auto add = [&](const auto& table) {
    for (const auto& e : table)
      if (e.cls == cls) {
        if (!out.empty()) out += ' ';
        out += e.mnemonic;
      }
  };
  if (set == LabelSet::seed) add(kSeed);
  else add(kAami);
  return out;
}

}  // namespace heartwave
