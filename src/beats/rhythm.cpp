#include "heartwave/beats/rhythm.hpp"

#include <algorithm>

namespace heartwave {

std::vector<std::string> rhythm_at(std::span<const Annotation> annotations, std::span<const std::int64_t> times) {
  std::vector<std::pair<std::int64_t, std::string>> changes;
  for (const auto& a : annotations)
    if (a.code == kRhythmCode) {
      std::string aux = a.aux;
      while (!aux.empty() && aux.back() == '\0') aux.pop_back();
      changes.emplace_back(a.time, std::move(aux));
    }
  std::stable_sort(changes.begin(), changes.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  out.reserve(times.size());
  for (const std::int64_t t : times) {
    // The last change at or before t.
    const auto it = std::upper_bound(changes.begin(), changes.end(), t, [](std::int64_t v, const auto& c) { return v < c.first; });
    out.push_back(it == changes.begin() ? std::string() : std::prev(it)->second);
  }
  return out;
}

bool is_atrial_fibrillation_or_flutter(std::string_view rhythm) noexcept { return rhythm == "(AFIB" || rhythm == "(AFL"; }

}  // namespace heartwave
