// Choosing the rhythm step (decision/rhythm_step.hpp) on out-of-fold
// predictions: a grid search over its thresholds and forms, with a nested
// estimate of what the choice gives.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "heartwave/decision/rhythm_step.hpp"
#include "heartwave/train/rhythm_step_search.hpp"

namespace heartwave {

struct RhythmStepFit {
  RhythmStep gate;                // disabled when no candidate raises macro-F1
  double macro_f1_before = 0;     // the decisions given
  double macro_f1_gated = 0;      // with `gate`, on the same rows (optimistic: chosen on them)
  double macro_f1_nested = -1;    // gate chosen without each fold, applied to it, pooled (-1: no folds)
  std::vector<RhythmStep> fold_gates;
  std::vector<std::int32_t> nested_decisions;  // each fold's rows decided by its fold gate (empty: no folds)
  RhythmStepSearch search;        // how `gate` and the fold gates were chosen
  double af_balanced_accuracy = -1;  // gate_fit rhythm: the chosen pair's balanced accuracy on all rows (-1: not fitted to rhythm)
};

// Chooses the prematurity ratio (none, or 0.6 to 0.85, gated or not), the irregularity
// and P-wave thresholds (none, or a grid: irregularity 0.06 to 0.3, P wave
// 0.1 to 0.95 or any) and the record adaptation (none, or 5 to 100 beats of
// each class) that maximise the pooled 5-class macro-F1 of the
// decisions; "no rhythm step" wins ties, then the earlier grid point (no
// prematurity rule before any, no adaptation before any). With `fold`, also the nested estimate, as
// fit_class_weights does. With `adapt_forms`, the adaptation's form
// too: class-share or equal priors, taking S decisions back or not, no third
// input or rr_post_local or tpl_corr_p (five forms, each changing one thing
// from the first, which wins ties). `adapt_passes` is
// fixed for every adaptation the grid tries, not chosen. With `p_measure`
// coherence the P-wave thresholds are 0.02 to 0.5 or any (strictest first,
// so that ties go to the stricter gate) and `p_regions` must be given.
//
// `criterion` sveb_se: the point with the highest pooled SVEB Se among
// those whose pooled SVEB +P is at least `sveb_ppv_floor` (ties: the higher
// macro-F1, then the earlier point); if none meets the floor, the highest
// macro-F1 as with macro_f1. An operating point for sensitivity to
// supraventricular beats, chosen like the rest of the step.
//
// `gate_fit` rhythm: the AF gate's two thresholds (irregularity, P wave)
// are not chosen with the rest but fitted to the annotated rhythm
// (`rhythm`, per row: 1 inside atrial fibrillation or flutter, 0 outside,
// -1 unknown, not counted): the pair with the highest balanced accuracy,
// the mean of the share of AF beats its verdicts gate and the share of
// other beats they do not (ties: the earlier pair; with no AF beat, or no
// other beat, that share counts 0). The rest of the step is then chosen
// as above among the points that gate with that pair, or no step at all;
// each fold's pair is fitted without the fold's rows. `smoothed` is
// refused with it, and `rhythm` must hold one value per row.
//
// `choice` says how the grid point is chosen: `best`, the one with the
// highest figures; `smoothed`, the one whose neighbourhood has the
// highest mean figures, the neighbourhood being the grid points that
// equal it in everything but the three thresholds (prematurity ratio,
// irregularity, P wave) and lie at most one grid step from it in each
// (itself included: up to 27 points, fewer at the grid's edges), so that a
// lone peak between worse neighbours loses to a broad plateau. Ties go to
// the earlier point either way; the nested estimate chooses each fold's
// step the same way. Throws InvalidArgument for passes, a floor or a window out of range.
RhythmStepFit fit_rhythm_step(std::span<const std::int32_t> predicted, std::span<const std::int32_t> truth,
                              std::span<const std::int32_t> record, std::span<const std::int64_t> r_sample,
                              std::span<const float> p_wave, double fs, std::span<const std::int32_t> fold = {},
                              const RhythmStepSearch& search = {}, std::span<const float> p_regions = {},
                              std::span<const std::int32_t> rhythm = {});
nlohmann::json to_json(const RhythmStepFit& fit);

}  // namespace heartwave
