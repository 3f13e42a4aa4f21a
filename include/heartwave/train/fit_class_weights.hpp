// Choosing class weights for the decision (decision/class_weights.hpp) on
// out-of-fold predictions, with a nested estimate of what the choice gives.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "heartwave/decision/class_weights.hpp"

namespace heartwave {

struct DecisionFit {
  ClassWeights weights{1, 1, 1, 1, 1};
  double macro_f1_argmax = 0;    // plain argmax on the rows given
  double macro_f1_weighted = 0;  // with `weights`, on the same rows (optimistic: chosen on them)
  double macro_f1_nested = -1;   // weights chosen without each fold, applied to it, pooled (-1: no folds)
  std::vector<ClassWeights> fold_weights;  // those per-fold choices
};

// Chooses weights for S, V and F (N and Q stay 1: Q has a handful of beats in
// DS1) that maximise the pooled 5-class macro-F1 of the rows, by coordinate
// ascent over log2 weights in [-4, 4] in steps of 1/4 (three passes; a change
// must raise the F1 by more than 1e-9, so flat regions keep the weight 1).
// With `fold` (one value per row), also the nested estimate: for each fold,
// weights chosen on the other folds' rows decide that fold's rows.
DecisionFit fit_class_weights(std::span<const float> proba, std::span<const std::int32_t> truth,
                              std::span<const std::int32_t> fold = {});

nlohmann::json to_json(const DecisionFit& fit);

}  // namespace heartwave
