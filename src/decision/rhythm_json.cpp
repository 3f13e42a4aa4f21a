#include "heartwave/decision/rhythm_step.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/core/json_checks.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/beats/rr.hpp"

namespace heartwave {
namespace {

// The two names of a two-valued option, in its enum's order.
using TwoNames = std::array<const char*, 2>;
constexpr TwoNames kStepChoiceNames{"best", "smoothed"}, kStepCriterionNames{"macro_f1", "sveb_se"},
    kGateFitNames{"macro_f1", "rhythm"}, kPMeasureNames{"tpl_corr_p", "coherence"};

template <class E>
E from_name(const std::string& name, const char* what, const TwoNames& names) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (name == names[i]) return static_cast<E>(i);
  throw InvalidArgument(std::string(what) + ": expected \"" + names[0] + "\" or \"" + names[1] + "\", got \"" + name + "\"");
}

template <class E>
const char* name_of(E value, const TwoNames& names) {
  return names[static_cast<std::size_t>(value)];
}

}  // namespace

StepChoice step_choice_from_name(const std::string& name) { return from_name<StepChoice>(name, "step choice", kStepChoiceNames); }
const char* step_choice_name(StepChoice choice) { return name_of(choice, kStepChoiceNames); }
StepCriterion step_criterion_from_name(const std::string& name) {
  return from_name<StepCriterion>(name, "step criterion", kStepCriterionNames);
}
const char* step_criterion_name(StepCriterion criterion) { return name_of(criterion, kStepCriterionNames); }
GateFit gate_fit_from_name(const std::string& name) { return from_name<GateFit>(name, "gate fit", kGateFitNames); }
const char* gate_fit_name(GateFit fit) { return name_of(fit, kGateFitNames); }
PMeasure p_measure_from_name(const std::string& name) { return from_name<PMeasure>(name, "P-wave measure", kPMeasureNames); }
const char* p_measure_name(PMeasure measure) { return name_of(measure, kPMeasureNames); }

namespace {

double number_field(const nlohmann::json& j, const char* key, double fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_number()) throw FormatError(std::string("decision.rhythm_step.") + key + ": not a number");
  const double v = j[key].get<double>();
  if (!std::isfinite(v)) throw FormatError(std::string("decision.rhythm_step.") + key + ": not finite");
  return v;
}

}  // namespace

const nlohmann::json* rhythm_step_object(const nlohmann::json& decision) {
  if (!decision.is_object()) return nullptr;
  for (const char* key : {"rhythm_step", "rhythm_gate"})  // rhythm_gate: files written before the name was settled
    if (const auto it = decision.find(key); it != decision.end()) return &*it;
  return nullptr;
}

RhythmStep rhythm_step_from_json(const nlohmann::json& decision) {
  RhythmStep g;
  const nlohmann::json* found = rhythm_step_object(decision);
  if (!found || found->is_null()) return g;
  const auto& j = *found;
  if (!j.is_object()) throw FormatError("decision.rhythm_step: expected an object");
  if (!j.contains("enabled") || !j["enabled"].is_boolean()) throw FormatError("decision.rhythm_step.enabled: expected true or false");
  g.enabled = j["enabled"].get<bool>();
  // Whole-number fields must be JSON integers (10, not 10.0 or 10.5).
  const auto whole = [&](const char* key, int fallback, int lo, int max) {
    if (!j.contains(key)) return fallback;
    const auto v = json_integer_in(j[key], lo, max);
    if (!v)
      throw FormatError(std::string("decision.rhythm_step.") + key + ": expected a whole number from " + std::to_string(lo) + " to " +
                        std::to_string(max));
    return static_cast<int>(*v);
  };
  g.half_window = whole("half_window", g.half_window, 1, kMaxHalfWindow);
  g.min_differences = whole("min_differences", g.min_differences, 1, 2000);
  g.adapt_min_beats = whole("adapt_min_beats", 0, 0, 1'000'000);
  g.adapt_passes = whole("adapt_passes", 1, 1, kMaxAdaptPasses);  // files from before the option: one pass
  g.irregularity = number_field(j, "irregularity", g.irregularity);
  g.p_wave = number_field(j, "p_wave", g.p_wave);
  g.premature = number_field(j, "premature", g.premature);
  const auto flag = [&](const char* key, bool fallback) {
    if (!j.contains(key)) return fallback;
    if (!j[key].is_boolean()) throw FormatError(std::string("decision.rhythm_step.") + key + ": expected true or false");
    return j[key].get<bool>();
  };
  g.premature_gated = flag("premature_gated", g.premature_gated);
  g.adapt_take_back = flag("adapt_take_back", false);
  if (j.contains("gate_intervals")) {  // files from before the option: not_v
    const auto& v = j["gate_intervals"];
    if (v != "not_v" && v != "n_only") throw FormatError("decision.rhythm_step.gate_intervals: expected \"not_v\" or \"n_only\"");
    g.irregularity_n_only = v == "n_only";
  }
  if (j.contains("p_measure")) {  // files from before the option: tpl_corr_p
    try {
      g.p_measure = p_measure_from_name(j["p_measure"].is_string() ? j["p_measure"].get<std::string>() : std::string());
    } catch (const InvalidArgument& e) {
      throw FormatError(std::string("decision.rhythm_step.p_measure: ") + e.what());
    }
  }
  if (j.contains("adapt_priors")) {  // files from before the form options: class shares, two inputs
    const auto& v = j["adapt_priors"];
    if (v != "shares" && v != "equal") throw FormatError("decision.rhythm_step.adapt_priors: expected \"shares\" or \"equal\"");
    g.adapt_equal_priors = v == "equal";
  }
  if (j.contains("adapt_third")) {
    const auto& v = j["adapt_third"];
    if (v == "none") g.adapt_third = AdaptInput::none;
    else if (v == "rr_post_local") g.adapt_third = AdaptInput::rr_post_local;
    else if (v == "tpl_corr_p") g.adapt_third = AdaptInput::p_wave;
    else throw FormatError("decision.rhythm_step.adapt_third: expected \"none\", \"rr_post_local\" or \"tpl_corr_p\"");
  }
  if (g.irregularity < 0) throw FormatError("decision.rhythm_step.irregularity: must not be negative");
  if (g.premature < 0 || g.premature > 2) throw FormatError("decision.rhythm_step.premature: expected a ratio from 0 to 2");
  return g;
}

RhythmStep default_af_gate() {
  RhythmStep g;
  g.enabled = true;
  g.half_window = 32;
  g.min_differences = 8;
  g.irregularity = 0.06;
  g.p_measure = PMeasure::coherence;
  g.p_wave = 0.3;
  g.premature = 0;
  g.adapt_min_beats = 0;
  return g;
}

RhythmStep model_rhythm_step(const nlohmann::json& meta) {
  return meta.is_object() && meta.contains("decision") ? rhythm_step_from_json(meta["decision"]) : RhythmStep{};
}

nlohmann::json to_json(const RhythmStep& g) {
  return {{"enabled", g.enabled},
          {"half_window", g.half_window},
          {"min_differences", g.min_differences},
          {"irregularity", g.irregularity},
          {"p_wave", g.p_wave},
          {"p_measure", p_measure_name(g.p_measure)},
          {"premature", g.premature},
          {"premature_gated", g.premature_gated},
          {"adapt_min_beats", g.adapt_min_beats},
          {"adapt_priors", g.adapt_equal_priors ? "equal" : "shares"},
          {"adapt_take_back", g.adapt_take_back},
          {"adapt_passes", g.adapt_passes},
          {"gate_intervals", g.irregularity_n_only ? "n_only" : "not_v"},
          {"adapt_third", g.adapt_third == AdaptInput::none            ? "none"
                          : g.adapt_third == AdaptInput::rr_post_local ? "rr_post_local"
                                                                       : "tpl_corr_p"}};
}

RhythmStep read_rhythm_step_file(const std::string& path, const std::string& option) {
  nlohmann::json given;
  try {
    given = nlohmann::json::parse(read_file_text(path));
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(path + ": " + e.what());
  }
  if (!rhythm_step_object(given))
    throw InvalidArgument(option + ": " + path + " holds no rhythm_step (give a decision.json from cv)");
  try {
    return rhythm_step_from_json(given);
  } catch (const FormatError& e) {
    throw InvalidArgument(option + ": " + path + ": " + e.what());
  }
}

}  // namespace heartwave
