#include "heartwave/train/fit_rhythm_step.hpp"

#include "heartwave/decision/rhythm_records.hpp"
#include "heartwave/eval/metrics.hpp"
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/core/json_checks.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/beats/rr.hpp"

namespace heartwave {

namespace {
constexpr std::int32_t kS = 1;
}  // namespace

RhythmStepFit fit_rhythm_step(std::span<const std::int32_t> predicted, std::span<const std::int32_t> truth,
                              std::span<const std::int32_t> record, std::span<const std::int64_t> r_sample,
                              std::span<const float> p_wave, double fs, std::span<const std::int32_t> fold,
                              const RhythmStepSearch& search, std::span<const float> p_regions,
                              std::span<const std::int32_t> rhythm) {
  if (truth.size() != predicted.size()) throw InvalidArgument("fit_rhythm_step: truth and predictions differ in length");
  if (search.adapt_passes < 1 || search.adapt_passes > kMaxAdaptPasses)
    throw InvalidArgument("fit_rhythm_step: adapt_passes must be from 1 to " + std::to_string(kMaxAdaptPasses));
  if (search.half_window < 1 || search.half_window > kMaxHalfWindow)
    throw InvalidArgument("fit_rhythm_step: the gate window must be from 1 to " + std::to_string(kMaxHalfWindow) + " beats either side");
  if (!(search.sveb_ppv_floor >= 0 && search.sveb_ppv_floor <= 1))
    throw InvalidArgument("fit_rhythm_step: the SVEB +P floor must be from 0 to 1");
  const bool by_rhythm = search.gate_fit == GateFit::rhythm;
  if (by_rhythm && search.choice == StepChoice::smoothed)
    throw InvalidArgument("fit_rhythm_step: the smoothed choice averages over the gate's thresholds, which a gate fitted to the rhythm does not choose");
  if (by_rhythm && rhythm.size() != predicted.size())
    throw InvalidArgument("fit_rhythm_step: fitting the gate to the rhythm needs one rhythm annotation per row");
  const StepChoice choice = search.choice;
  const int adapt_passes = search.adapt_passes;
  const bool search_adapt_form = search.adapt_forms;
  if (!fold.empty() && fold.size() != predicted.size()) throw InvalidArgument("fit_rhythm_step: one fold per row needed");
  RhythmStep shape;  // window, minimum count and intervals: fixed, not searched
  shape.irregularity_n_only = search.irregularity_n_only;
  shape.half_window = search.half_window;
  shape.p_measure = search.p_measure;
  const auto recs = per_record(predicted, record, r_sample, p_wave, fs, shape, p_regions);
  // The adaptation's forms: the first (class-share priors, two inputs) wins ties.
  struct Form {
    bool equal_priors, take_back;
    AdaptInput third;
  };
  const std::vector<Form> forms = search_adapt_form
                                      ? std::vector<Form>{{false, false, AdaptInput::none},
                                                          {true, false, AdaptInput::none},
                                                          {false, true, AdaptInput::none},
                                                          {false, false, AdaptInput::rr_post_local},
                                                          {false, false, AdaptInput::p_wave}}
                                      : std::vector<Form>{{false, false, AdaptInput::none}};
  std::vector<RhythmStep> grid{shape};  // first: no rhythm step (disabled; it keeps the search's fixed fields)
  // Each point's place: a family (all but the three thresholds) and the
  // thresholds' grid indices, for the smoothed choice's neighbourhoods.
  struct Place {
    int family, premature, irregularity, p_wave;
  };
  std::vector<Place> place{{-1, 0, 0, 0}};
  int family = 0;
  const std::array<double, 7> prematures{0.0, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85};
  const std::array<double, 7> irregularities{0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3};
  const std::array<double, 11> p_waves = search.p_measure == PMeasure::coherence
                                             ? std::array<double, 11>{0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, 0.5, 2.0}
                                             : std::array<double, 11>{0.1, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 2.0};
  for (int adapt : {0, 5, 10, 20, 50, 100})
  for (std::size_t form = 0; form < (adapt > 0 ? forms.size() : 1); ++form, family += 3)
  for (int ip = 0; ip < static_cast<int>(prematures.size()); ++ip) {
    const double premature = prematures[static_cast<std::size_t>(ip)];
    RhythmStep g = shape;
    g.enabled = true;
    g.premature = premature;
    g.adapt_min_beats = adapt;
    g.adapt_equal_priors = forms[form].equal_priors;
    g.adapt_take_back = forms[form].take_back;
    g.adapt_third = forms[form].third;
    g.adapt_passes = adapt_passes;
    if (premature > 0 || adapt > 0) {  // the prematurity rule (and the adaptation) alone
      g.irregularity = 0;
      g.p_wave = kNoAfGate;
      grid.push_back(g);
      place.push_back({family, ip, 0, 0});
    }
    for (bool premature_gated : {true, false}) {
      if (!premature_gated && premature == 0) continue;  // the same rule twice
      g.premature_gated = premature_gated;
      for (int ii = 0; ii < static_cast<int>(irregularities.size()); ++ii)
        for (int iw = 0; iw < static_cast<int>(p_waves.size()); ++iw) {
          g.irregularity = irregularities[static_cast<std::size_t>(ii)];
          g.p_wave = p_waves[static_cast<std::size_t>(iw)];
          grid.push_back(g);
          place.push_back({family + (premature_gated ? 1 : 2), ip, ii, iw});
        }
    }
  }
  // Neighbourhoods (the smoothed choice): same family, at most one step in each threshold.
  std::vector<std::vector<std::size_t>> near(grid.size());
  if (choice == StepChoice::smoothed) {
    std::map<std::array<int, 4>, std::size_t> at;
    for (std::size_t g = 0; g < grid.size(); ++g) at[{place[g].family, place[g].premature, place[g].irregularity, place[g].p_wave}] = g;
    for (std::size_t g = 0; g < grid.size(); ++g)
      for (int dp = -1; dp <= 1; ++dp)
        for (int di = -1; di <= 1; ++di)
          for (int dw = -1; dw <= 1; ++dw)
            if (const auto it = at.find({place[g].family, place[g].premature + dp, place[g].irregularity + di, place[g].p_wave + dw});
                it != at.end())
              near[g].push_back(it->second);
  }
  // Confusion matrices per grid point and fold (fold -1 when none given).
  std::map<std::int32_t, std::size_t> fold_index;
  for (std::size_t i = 0; i < predicted.size(); ++i) fold_index.try_emplace(fold.empty() ? -1 : fold[i], 0);
  std::size_t k = 0;
  for (auto& [f, idx] : fold_index) idx = k++;
  std::vector<std::vector<Confusion>> cm(grid.size(), std::vector<Confusion>(fold_index.size(), Confusion{}));
  for (std::size_t g = 0; g < grid.size(); ++g) {
    const auto d = gated(predicted, recs, grid[g]);
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (truth[i] < 0 || truth[i] >= kMetricClasses || d[i] < 0 || d[i] >= kMetricClasses)
        throw InvalidArgument("fit_rhythm_step: a class outside 0..4 at row " + std::to_string(i));
      ++cm[g][fold_index[fold.empty() ? -1 : fold[i]]][static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(d[i])];
    }
  }
  // gate_fit rhythm: per fold, the AF/other beats and how many of each every
  // (irregularity, P wave) pair gates.
  const std::size_t kPairs = irregularities.size() * p_waves.size();
  std::vector<std::array<double, 2>> rhythm_total(fold_index.size(), {0, 0});  // [fold][other, AF]
  std::vector<std::vector<std::array<double, 2>>> rhythm_gated(kPairs, rhythm_total);
  if (by_rhythm) {
    for (const auto& r : recs)
      for (std::size_t k = 0; k < r.rows.size(); ++k) {
        const std::size_t i = r.rows[k];
        if (rhythm[i] != 0 && rhythm[i] != 1) continue;
        const std::size_t f = fold_index[fold.empty() ? -1 : fold[i]], af = rhythm[i] == 1 ? 1 : 0;
        rhythm_total[f][af] += 1;
        RhythmStep g = shape;
        for (std::size_t ii = 0; ii < irregularities.size(); ++ii)
          for (std::size_t iw = 0; iw < p_waves.size(); ++iw) {
            g.irregularity = irregularities[ii];
            g.p_wave = p_waves[iw];
            if (in_af(g, r.stats, k)) rhythm_gated[ii * p_waves.size() + iw][f][af] += 1;
          }
      }
  }
  if (by_rhythm) {
    double annotated = 0;
    for (const auto& t : rhythm_total) annotated += t[0] + t[1];
    if (annotated == 0) throw InvalidArgument("fit_rhythm_step: no row has an annotated rhythm to fit the gate to");
  }
  // The pair fitted to the rhythm of every fold but `skip`, and its balanced accuracy.
  const auto rhythm_pair = [&](std::size_t skip) {
    std::array<double, 2> total{0, 0};
    for (std::size_t f = 0; f < fold_index.size(); ++f)
      if (f != skip) total = {total[0] + rhythm_total[f][0], total[1] + rhythm_total[f][1]};
    std::size_t best = 0;
    double best_ba = -1;
    for (std::size_t q = 0; q < kPairs; ++q) {
      std::array<double, 2> gated_n{0, 0};
      for (std::size_t f = 0; f < fold_index.size(); ++f)
        if (f != skip) gated_n = {gated_n[0] + rhythm_gated[q][f][0], gated_n[1] + rhythm_gated[q][f][1]};
      const double se = total[1] > 0 ? gated_n[1] / total[1] : 0, sp = total[0] > 0 ? 1 - gated_n[0] / total[0] : 0;
      const double ba = (se + sp) / 2;
      if (ba > best_ba + 1e-12) {
        best_ba = ba;
        best = q;
      }
    }
    return std::pair<std::size_t, double>{best, best_ba};
  };
  // Whether grid point g may be chosen when the gate is fitted to the rhythm with pair q.
  const auto allowed = [&](std::size_t g, std::size_t q) {
    if (!by_rhythm || g == 0) return true;
    return grid[g].p_wave != kNoAfGate && grid[g].irregularity == irregularities[q / p_waves.size()] &&
           grid[g].p_wave == p_waves[q % p_waves.size()];
  };
  // The figures a point is chosen by, pooled over every fold but `skip`.
  struct Figures {
    double f1 = 0, sveb_se = 0, sveb_ppv = 0;
  };
  const auto figures_without = [&](std::size_t g, std::size_t skip) {
    Confusion sum{};
    for (std::size_t f = 0; f < fold_index.size(); ++f)
      if (f != skip) add_confusion(sum, cm[g][f]);
    const Metrics m = metrics_from_confusion(sum);
    return Figures{m.f1_macro, m.per_class[kS].sensitivity, m.per_class[kS].ppv};
  };
  const auto f1_without = [&](std::size_t g, std::size_t skip) { return figures_without(g, skip).f1; };
  const auto best_without = [&](std::size_t skip) {
    std::vector<Figures> fig(grid.size());
    for (std::size_t g = 0; g < grid.size(); ++g) fig[g] = figures_without(g, skip);
    const auto at = [&](std::size_t g) {  // the point's own figures, or its neighbourhood's means
      if (choice == StepChoice::best) return fig[g];
      Figures sum;
      for (std::size_t n : near[g]) {
        sum.f1 += fig[n].f1;
        sum.sveb_se += fig[n].sveb_se;
        sum.sveb_ppv += fig[n].sveb_ppv;
      }
      const auto k = static_cast<double>(near[g].size());
      return Figures{sum.f1 / k, sum.sveb_se / k, sum.sveb_ppv / k};
    };
    const std::size_t pair = by_rhythm ? rhythm_pair(skip).first : 0;
    std::vector<Figures> score(grid.size());
    bool any_meets = false;
    for (std::size_t g = 0; g < grid.size(); ++g) {
      if (!allowed(g, pair)) continue;
      score[g] = at(g);
      any_meets = any_meets || score[g].sveb_ppv >= search.sveb_ppv_floor - 1e-12;
    }
    // Whether a beats b (ties to the earlier point: strictly better only).
    const bool by_se = search.criterion == StepCriterion::sveb_se && any_meets;
    const auto better = [&](const Figures& a, const Figures& b) {
      if (by_se) {
        const bool ma = a.sveb_ppv >= search.sveb_ppv_floor - 1e-12, mb = b.sveb_ppv >= search.sveb_ppv_floor - 1e-12;
        if (ma != mb) return ma;
        if (std::abs(a.sveb_se - b.sveb_se) > 1e-9) return a.sveb_se > b.sveb_se;
      }
      return a.f1 > b.f1 + 1e-9;
    };
    std::size_t best = 0;
    for (std::size_t g = 1; g < grid.size(); ++g)
      if (allowed(g, pair) && better(score[g], score[best])) best = g;
    return best;
  };
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  RhythmStepFit r;
  r.search = search;
  const std::size_t best = best_without(kNone);
  r.gate = grid[best];
  r.macro_f1_before = f1_without(0, kNone);
  r.macro_f1_gated = f1_without(best, kNone);
  if (by_rhythm) r.af_balanced_accuracy = rhythm_pair(kNone).second;
  if (!fold.empty()) {
    Confusion nested{};
    r.nested_decisions.assign(predicted.begin(), predicted.end());
    for (auto& [fold_value, f] : fold_index) {
      const std::size_t g = best_without(f);
      r.fold_gates.push_back(grid[g]);
      const auto d = gated(predicted, recs, grid[g]);
      for (std::size_t i = 0; i < d.size(); ++i)
        if (fold[i] == fold_value) r.nested_decisions[i] = d[i];
      add_confusion(nested, cm[g][f]);
    }
    r.macro_f1_nested = metrics_from_confusion(nested).f1_macro;
  }
  return r;
}

nlohmann::json to_json(const RhythmStepFit& fit) {
  nlohmann::json j = to_json(fit.gate);
  j["rule"] = "N becomes S where the RR interval before the beat is below premature times the record's mean RR interval "
              "(unless premature_gated and the beat's window is gated); S becomes N where the window is gated: over the beats "
              "within half_window, the median |dRR| / median RR of intervals between beats not called V (gate_intervals not_v) or "
              "between beats both called N (n_only) exceeds irregularity "
              "and the window's P-wave measure is below p_wave (p_measure tpl_corr_p: the median tpl_corr_p of its beats; coherence: the energy of "
              "the average of its non-V beats' detrended P regions over their mean energy); then, in a record with at least adapt_min_beats (> 0) S and N decisions, an N "
              "decision outside gated windows becomes S where a linear discriminant fitted to the record's S and N decisions "
              "(pre-RR over the local and over the record mean, and adapt_third if not none; diagonal pooled variance, the class shares "
              "as priors unless adapt_priors is equal) says S, and, with adapt_take_back, an S decision it does not put with the S "
              "beats becomes N; the adaptation runs adapt_passes times, each refitted on the decisions the one before left, stopping "
              "when one changes nothing";
  j["step_choice"] = step_choice_name(fit.search.choice);
  j["step_criterion"] = step_criterion_name(fit.search.criterion);
  if (fit.search.criterion == StepCriterion::sveb_se) j["step_sveb_ppv_floor"] = fit.search.sveb_ppv_floor;
  j["gate_fit"] = gate_fit_name(fit.search.gate_fit);
  if (fit.af_balanced_accuracy >= 0) j["af_balanced_accuracy"] = fit.af_balanced_accuracy;
  j["macro_f1_before"] = fit.macro_f1_before;
  j["macro_f1_gated"] = fit.macro_f1_gated;
  if (fit.macro_f1_nested >= 0) {
    j["macro_f1_nested"] = fit.macro_f1_nested;
    nlohmann::json folds = nlohmann::json::array();
    for (const auto& g : fit.fold_gates) folds.push_back(to_json(g));
    j["fold_gates"] = folds;
  }
  return j;
}

}  // namespace heartwave
