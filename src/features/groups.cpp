#include "heartwave/features/groups.hpp"

#include <algorithm>
#include <set>

#include "heartwave/core/error.hpp"

namespace heartwave {

const std::vector<FeatureGroup>& feature_groups() {
  static const std::vector<FeatureGroup> groups{
      {"rr", "8: rr_pre, rr_post, ...", "RR intervals around the beat and their ratios to the local and record means", nullptr, nullptr},
      {"morph", "36: mean, std, ..., seg5_area", "the beat window's morphology (the original project's 36 features)", nullptr, nullptr},
      {"template", "8: tpl_*", "the beat against the record's dominant beat (median template): correlations, widths, amplitudes", nullptr,
       nullptr},
      {"l2_template", "8: l2_tpl_*", "the same template features on the record's other signal (needs two-signal recordings)",
       &Preprocessing::second_lead, nullptr},
      {"relative", "36: rel_*", "each morphology feature minus the record's dominant beat's", &Preprocessing::relative_morphology, nullptr},
      {"quality", "3 per lead: sq_hf, sq_turns, sq_tv (then l2_sq_*)",
       "signal quality against the dominant beat: what the beat filter removed and the wiggle outside the QRS",
       &Preprocessing::signal_quality, nullptr},
      {"l2_relative", "36: l2_rel_*", "the second lead's morphology minus its dominant beat's", &Preprocessing::second_lead_morphology,
       "l2_template"},
  };
  return groups;
}

void select_feature_groups(Preprocessing& pre, const std::vector<std::string>& names) {
  const auto& groups = feature_groups();
  std::set<std::string> given;
  for (const auto& n : names) {
    const auto it = std::find_if(groups.begin(), groups.end(), [&](const FeatureGroup& g) { return n == g.name; });
    if (it == groups.end()) {
      std::string known;
      for (const auto& g : groups) known += std::string(known.empty() ? "" : ", ") + g.name;
      throw InvalidArgument("--features: unknown group '" + n + "' (" + known + ")");
    }
    if (!given.insert(n).second) throw InvalidArgument("--features: group '" + n + "' listed twice");
  }
  for (const auto& g : groups) {  // checked whole before anything is set
    const bool on = given.count(g.name) > 0;
    if (!g.flag && !on) throw InvalidArgument(std::string("--features: group '") + g.name + "' is always computed; list it");
    if (on && g.needs && !given.count(g.needs))
      throw InvalidArgument(std::string("--features: group '") + g.name + "' needs '" + g.needs + "'");
  }
  for (const auto& g : groups)
    if (g.flag) pre.*g.flag = given.count(g.name) > 0;
}

std::vector<std::string> selected_feature_groups(const Preprocessing& pre) {
  std::vector<std::string> out;
  for (const auto& g : feature_groups())
    if (!g.flag || pre.*g.flag) out.emplace_back(g.name);
  return out;
}

}  // namespace heartwave
