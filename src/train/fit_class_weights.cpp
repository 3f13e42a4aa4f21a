#include "heartwave/train/fit_class_weights.hpp"

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/eval/metrics.hpp"

namespace heartwave {
namespace {

constexpr std::size_t kClasses = 5;

// Macro-F1 of the rows listed in `rows` under weights `w`.
double macro_f1(std::span<const float> proba, std::span<const std::int32_t> truth, std::span<const std::size_t> rows,
                const ClassWeights& w) {
  Confusion cm{};
  for (std::size_t i : rows)
    ++cm[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(decide_row(proba.data() + i * kClasses, w))];
  return metrics_from_confusion(cm).f1_macro;
}

ClassWeights search(std::span<const float> proba, std::span<const std::int32_t> truth, std::span<const std::size_t> rows) {
  ClassWeights w{1, 1, 1, 1, 1};
  double best = macro_f1(proba, truth, rows, w);
  for (int pass = 0; pass < 3; ++pass) {
    bool changed = false;
    for (std::size_t c : {1u, 2u, 3u}) {  // S, V, F
      for (int step = -16; step <= 16; ++step) {
        ClassWeights t = w;
        t[c] = std::exp2(step / 4.0);
        if (t[c] == w[c]) continue;
        if (const double f = macro_f1(proba, truth, rows, t); f > best + 1e-9) {
          best = f;
          w = t;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return w;
}

}  // namespace

DecisionFit fit_class_weights(std::span<const float> proba, std::span<const std::int32_t> truth, std::span<const std::int32_t> fold) {
  if (proba.size() != truth.size() * kClasses) throw InvalidArgument("fit_class_weights: probabilities and labels differ in rows");
  if (!fold.empty() && fold.size() != truth.size()) throw InvalidArgument("fit_class_weights: folds and labels differ in rows");
  if (truth.empty()) throw InvalidArgument("fit_class_weights: no rows");
  for (auto t : truth)
    if (t < 0 || t >= static_cast<std::int32_t>(kClasses)) throw InvalidArgument("fit_class_weights: label outside 0..4");
  std::vector<std::size_t> all(truth.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  DecisionFit r;
  r.macro_f1_argmax = macro_f1(proba, truth, all, r.weights);
  r.weights = search(proba, truth, all);
  r.macro_f1_weighted = macro_f1(proba, truth, all, r.weights);
  if (fold.empty()) return r;
  std::map<std::int32_t, std::vector<std::size_t>> in, out;
  for (std::size_t i = 0; i < fold.size(); ++i) in[fold[i]].push_back(i);
  if (in.size() < 2) return r;
  Confusion cm{};
  for (const auto& [f, rows] : in) {
    std::vector<std::size_t> others;
    for (std::size_t i = 0; i < fold.size(); ++i)
      if (fold[i] != f) others.push_back(i);
    const ClassWeights w = search(proba, truth, others);
    r.fold_weights.push_back(w);
    for (std::size_t i : rows)
      ++cm[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(decide_row(proba.data() + i * kClasses, w))];
  }
  r.macro_f1_nested = metrics_from_confusion(cm).f1_macro;
  return r;
}

nlohmann::json to_json(const DecisionFit& fit) {
  nlohmann::json j = {{"rule", "argmax of class_weights x probabilities"},
                      {"class_weights", fit.weights},
                      {"macro_f1_argmax", fit.macro_f1_argmax},
                      {"macro_f1_weighted", fit.macro_f1_weighted}};
  if (fit.macro_f1_nested >= 0) {
    j["macro_f1_nested"] = fit.macro_f1_nested;
    j["fold_weights"] = fit.fold_weights;
  }
  return j;
}

}  // namespace heartwave
