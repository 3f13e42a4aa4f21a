// One interface for every model family (fit, predict probabilities for a
// batch, save and load), so that evaluation, the CLI and the server never
// special-case a family. Families are created by name.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/data/rows.hpp"

namespace heartwave {

struct TrainLogEntry {
  int iteration = 0;          // boosting round or epoch (1-based)
  double train_loss = 0;      // multi-class log loss
  double early_loss = 0;      // on the early-stopping rows (NaN without them)
  double early_macro_f1 = -1; // when computed (-1: not at this iteration)
  std::string stage;          // "round", "epoch", "cnn epoch", "xgb round"
};

struct TrainResult {
  std::vector<TrainLogEntry> log;
  int best_iteration = 0;     // kept in the model
  double seconds = 0;
};

// iteration, total iterations (upper bound), latest log entry
using TrainProgress = std::function<void(int, int, const TrainLogEntry&)>;

class Classifier {
 public:
  virtual ~Classifier() = default;
  virtual std::string family() const = 0;
  virtual View view() const = 0;  // which dataset columns it reads
  virtual nlohmann::json params() const = 0;
  // With no `early` rows (n == 0) a family trains its configured number of
  // rounds or epochs and keeps the last.
  virtual TrainResult fit(const Rows& fit, const Rows& early, const TrainProgress& progress) = 0;
  // rows x 5 class probabilities for a row-major rows x dim batch.
  virtual std::vector<float> predict_proba(std::span<const float> X, std::size_t rows) const = 0;
  // The columns of a `dim`-wide row that the predictions depend on, in
  // ascending order: all of them unless a family is told to read fewer.
  virtual std::vector<std::size_t> input_columns(std::size_t dim) const {
    std::vector<std::size_t> all(dim);
    for (std::size_t c = 0; c < dim; ++c) all[c] = c;
    return all;
  }
  virtual std::vector<std::uint8_t> save_weights() const = 0;
  virtual void load_weights(std::span<const std::uint8_t> bytes) = 0;
};

// Families: "xgb-feat", "cnn-mlp", "convxgb". `params` overrides the family's defaults; unknown keys
// are an InvalidArgument.
std::unique_ptr<Classifier> create_classifier(const std::string& family, const nlohmann::json& params,
                                              std::uint64_t seed, int threads);
std::vector<std::string> classifier_families();

}  // namespace heartwave
