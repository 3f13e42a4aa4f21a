#include "heartwave/train/rhythm_step_search.hpp"

#include <algorithm>
#include <cmath>

#include "heartwave/core/error.hpp"
#include "heartwave/core/json_checks.hpp"

namespace heartwave {

const std::vector<SearchParameter>& rhythm_step_search_parameters() {
  using J = nlohmann::json;
  static const std::vector<SearchParameter> table{
      {"adapt_forms", "--adapt-forms", "bool", false, nullptr,
       "The rhythm step also chooses the record adaptation's form (priors, taking S calls back, a third input), nested like its "
       "thresholds"},
      {"adapt_passes", "--adapt-passes", "int", 1, J::array({1, kMaxAdaptPasses}),
       "Passes of the record adaptation, each refitted on the decisions the one before left (fixed, not chosen)"},
      {"step_choice", "--step-choice", "choice", "best", J::array({"best", "smoothed"}),
       "How the grid point is chosen, here and in each fold for the nested figure: best (by its own pooled figures, as "
       "step_criterion says) or smoothed (by those figures averaged over the point and its neighbours one threshold step away)"},
      {"step_criterion", "--step-criterion", "choice", "macro_f1", J::array({"macro_f1", "sveb_se"}),
       "What the step is chosen for: macro_f1 (the pooled 5-class macro-F1) or sveb_se (the pooled SVEB sensitivity among the "
       "grid points whose SVEB +P is at least step_floor; ties to the higher macro-F1)"},
      {"step_floor", "--step-floor", "number", 0.0, J::array({0.0, 1.0}), "The SVEB +P floor of step_criterion sveb_se (e.g. 0.6)"},
      {"gate_intervals", "--gate-intervals", "choice", "not_v", J::array({"not_v", "n_only"}),
       "The intervals the AF gate's irregularity counts, for every step tried: not_v (between beats not called V) or n_only "
       "(between two beats called N, so that premature beats do not look like AF); fixed, not chosen"},
      {"gate_window", "--gate-window", "int", RhythmStep{}.half_window, J::array({1, kMaxHalfWindow}),
       "The AF gate's window, beats either side of each beat, for every step tried (fixed, not chosen)"},
      {"gate_p_measure", "--gate-p-measure", "choice", "tpl_corr_p", J::array({"tpl_corr_p", "coherence"}),
       "The AF gate's sign of no consistent P wave, for every step tried: tpl_corr_p (the window's median P-wave correlation with "
       "the dominant beat) or coherence (how much of the beats' P-region energy survives averaging them, near 0 in AF); fixed"},
      {"gate_fit", "--gate-fit", "choice", "macro_f1", J::array({"macro_f1", "rhythm"}),
       "How the AF gate's two thresholds are chosen: macro_f1 (with the rest of the step, for the beats' pooled figures) or "
       "rhythm (the pair whose verdicts best match DS1's annotated atrial fibrillation and flutter, by balanced accuracy; the "
       "rest of the step then chosen with it; nested like the rest)"},
  };
  return table;
}

namespace {

// The table's value for `p` in `j`, checked; its default when absent.
nlohmann::json value_of(const nlohmann::json& j, const SearchParameter& p, const std::string& where) {
  if (!j.contains(p.key)) return p.fallback;
  const auto& v = j[p.key];
  const std::string name = where + ": " + p.key + " (" + p.flag + ")";
  const std::string type = p.type;
  if (type == "bool") {
    if (!v.is_boolean()) throw InvalidArgument(name + ": expected true or false");
  } else if (type == "int") {
    const auto lo = p.allowed[0].get<std::int64_t>(), hi = p.allowed[1].get<std::int64_t>();
    if (!json_integer_in(v, lo, hi))
      throw InvalidArgument(name + ": expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  } else if (type == "number") {
    const double lo = p.allowed[0].get<double>(), hi = p.allowed[1].get<double>();
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo || v.get<double>() > hi)
      throw InvalidArgument(name + ": expected a number from " + p.allowed[0].dump() + " to " + p.allowed[1].dump());
  } else {
    if (!v.is_string() || std::find(p.allowed.begin(), p.allowed.end(), v) == p.allowed.end())
      throw InvalidArgument(name + ": expected one of " + p.allowed.dump() + ", got " + v.dump());
  }
  return v;
}

}  // namespace

RhythmStepSearch rhythm_step_search_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw InvalidArgument(where + ": a search space must be a JSON object");
  const auto& table = rhythm_step_search_parameters();
  for (const auto& item : j.items()) {
    const std::string key = item.key();
    if (key != "description" &&
        std::none_of(table.begin(), table.end(), [&key](const SearchParameter& p) { return key == p.key; })) {
      std::string known;
      for (const auto& p : table) known += std::string(known.empty() ? "" : ", ") + p.key;
      throw InvalidArgument(where + ": unknown key '" + key + "' (" + known + ")");
    }
  }
  const auto get = [&](const char* key) {
    for (const auto& p : table)
      if (std::string(key) == p.key) return value_of(j, p, where);
    throw InvalidArgument(std::string("no search parameter ") + key);  // a bug: every key read is in the table
  };
  RhythmStepSearch s;
  s.adapt_forms = get("adapt_forms").get<bool>();
  s.adapt_passes = get("adapt_passes").get<int>();
  s.choice = step_choice_from_name(get("step_choice").get<std::string>());
  s.criterion = step_criterion_from_name(get("step_criterion").get<std::string>());
  s.sveb_ppv_floor = get("step_floor").get<double>();
  s.irregularity_n_only = get("gate_intervals") == "n_only";
  s.half_window = get("gate_window").get<int>();
  s.p_measure = p_measure_from_name(get("gate_p_measure").get<std::string>());
  s.gate_fit = gate_fit_from_name(get("gate_fit").get<std::string>());
  if (s.gate_fit == GateFit::rhythm && s.choice == StepChoice::smoothed)
    throw InvalidArgument(where + ": step_choice smoothed (--step-choice) averages over the AF gate's thresholds, which "
                          "--gate-fit rhythm does not choose");
  if (s.criterion != StepCriterion::sveb_se && s.sveb_ppv_floor != 0)
    throw InvalidArgument(where + ": --step-floor is the SVEB +P floor of --step-criterion sveb_se (keys step_floor, step_criterion)");
  return s;
}

nlohmann::json to_json(const RhythmStepSearch& s) {
  return {{"adapt_forms", s.adapt_forms},
          {"adapt_passes", s.adapt_passes},
          {"step_choice", step_choice_name(s.choice)},
          {"step_criterion", step_criterion_name(s.criterion)},
          {"step_floor", s.sveb_ppv_floor},
          {"gate_intervals", s.irregularity_n_only ? "n_only" : "not_v"},
          {"gate_window", s.half_window},
          {"gate_p_measure", p_measure_name(s.p_measure)},
          {"gate_fit", gate_fit_name(s.gate_fit)}};
}

}  // namespace heartwave
