// Private to src/models: our own evaluator for XGBoost's multi-class tree
// ensembles (gbtree, numerical splits, multi:softprob). It reads the model
// XGBoost itself saved (UBJSON) and reproduces XGBoost 1.7's CPU predictor:
// per row, leaf values summed in float in tree order onto base_score, then
// softmax with a double sum. Tested to give XGBoost's outputs; it exists
// because XGBoost's per-call overhead dominates single-beat latency.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace heartwave {

class TreeForest {
 public:
  // From XGBoost's UBJSON model bytes (XGBoosterSaveModelToBuffer, "ubj").
  // `columns`, when not empty, maps the model's feature k to row column
  // columns[k] (the model was trained on a subset of the columns); otherwise
  // feature k reads column offset + k.
  // Throws FormatError on anything it does not understand (categorical
  // splits, another booster or objective, inconsistent arrays).
  static TreeForest from_ubjson(std::span<const std::uint8_t> bytes, std::span<const std::size_t> columns = {},
                                std::size_t offset = 0);

  int num_class() const { return num_class_; }
  std::size_t num_trees() const { return roots_.size(); }
  // Features the model was trained on (XGBoost's num_feature).
  std::size_t num_features() const { return num_features_; }
  // The smallest row width the model can read.
  std::size_t min_row_width() const { return min_width_; }

  // Class margins (num_class values) of one row.
  void margins(const float* row, float* out) const;
  // rows x num_class probabilities of a row-major batch (row_stride floats
  // per row), rows split over `threads` threads.
  std::vector<float> predict_proba(std::span<const float> X, std::size_t rows, std::size_t row_stride, int threads) const;

 private:
  struct Node {
    float value;          // split threshold, or the leaf value
    std::uint32_t feature;  // row column; top bit: missing values go left
    std::int32_t left;    // a leaf points to itself
    std::int32_t right;
  };
  static TreeForest parse(std::span<const std::uint8_t> bytes, std::span<const std::size_t> columns, std::size_t offset);
  static std::uint32_t step(const Node& n, const float* row);
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> roots_;
  std::vector<std::uint8_t> group_;
  std::vector<std::uint16_t> depth_;  // edges on the longest root-to-leaf path
  float base_score_ = 0.5f;
  int num_class_ = 0;
  std::size_t min_width_ = 0;
  std::size_t num_features_ = 0;
};

}  // namespace heartwave
