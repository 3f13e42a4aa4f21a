// From class probabilities to a class: the argmax of the probabilities
// scaled by per-class weights. Weights of 1 are the plain argmax. Weights
// other than 1 move the operating point (e.g. more S sensitivity for less
// +P); they are chosen by fit_class_weights (train/fit_class_weights.hpp)
// and kept in the model file.
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
// The same for one row of 5 probabilities (weights unchecked).
std::int32_t decide_row(const float* p, const ClassWeights& weights);

// The model file's "decision" object: {"class_weights": [5 numbers], ...}.
// Absent or null: all ones. Throws FormatError naming the bad field.
ClassWeights class_weights_from_json(const nlohmann::json& decision);
// The weights a model file's metadata holds: its "decision" object, if any.
ClassWeights model_class_weights(const nlohmann::json& meta);

}  // namespace heartwave
