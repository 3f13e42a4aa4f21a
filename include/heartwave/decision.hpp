// From class probabilities to a class: the argmax of the probabilities
// scaled by per-class weights. Weights of 1 are the plain argmax. Weights
// other than 1 move the operating point (e.g. more S sensitivity for less
// +P); heartwave chooses them on out-of-fold DS1 predictions (`heartwave cv`)
// and keeps them in the model file, so DS2 never takes part.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace heartwave {

using ClassWeights = std::array<double, 5>;

// argmax_c (w_c * p_c) for each row of an n x 5 matrix (ties: the lower class).
// Throws InvalidArgument for a ragged matrix or weights that are not finite and > 0.
std::vector<std::int32_t> decide(std::span<const float> proba, const ClassWeights& weights);

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

// The model file's "decision" object: {"class_weights": [5 numbers], ...}.
// Absent or null: all ones. Throws FormatError naming the bad field.
ClassWeights class_weights_from_json(const nlohmann::json& decision);
// The weights a model file's metadata holds: its "decision" object, if any.
ClassWeights model_class_weights(const nlohmann::json& meta);
nlohmann::json to_json(const DecisionFit& fit);

}  // namespace heartwave
