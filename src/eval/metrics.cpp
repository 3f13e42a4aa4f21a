#include "heartwave/metrics.hpp"

#include <nlohmann/json.hpp>

#include "heartwave/error.hpp"
#include "heartwave/label_sets.hpp"

namespace heartwave {
namespace {
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
}  // namespace

Metrics compute_metrics(std::span<const std::int32_t> truth, std::span<const std::int32_t> pred) {
  if (truth.size() != pred.size()) throw InvalidArgument("compute_metrics: truth and predictions differ in length");
  Metrics m;
  m.n = truth.size();
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || truth[i] >= kMetricClasses || pred[i] < 0 || pred[i] >= kMetricClasses)
      throw InvalidArgument("compute_metrics: label outside 0..4 at row " + std::to_string(i));
    ++m.confusion[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(pred[i])];
  }
  std::size_t correct = 0;
  for (int c = 0; c < kMetricClasses; ++c) correct += m.confusion[static_cast<std::size_t>(c)][static_cast<std::size_t>(c)];
  m.accuracy = ratio(static_cast<double>(correct), static_cast<double>(m.n));
  int present = 0;
  for (std::size_t c = 0; c < kMetricClasses; ++c) {
    ClassMetrics& k = m.per_class[c];
    std::size_t fp = 0, fn = 0;
    for (std::size_t o = 0; o < kMetricClasses; ++o) {
      if (o == c) continue;
      fn += m.confusion[c][o];
      fp += m.confusion[o][c];
    }
    const std::size_t tp = m.confusion[c][c];
    const std::size_t tn = m.n - tp - fp - fn;
    k.support = tp + fn;
    k.predicted = tp + fp;
    k.sensitivity = ratio(static_cast<double>(tp), static_cast<double>(tp + fn));
    k.ppv = ratio(static_cast<double>(tp), static_cast<double>(tp + fp));
    k.specificity = ratio(static_cast<double>(tn), static_cast<double>(tn + fp));
    k.fpr = ratio(static_cast<double>(fp), static_cast<double>(fp + tn));
    k.f1 = ratio(2.0 * k.ppv * k.sensitivity, k.ppv + k.sensitivity);
    if (k.support == 0 && k.predicted == 0) continue;  // absent class: not in the macro average
    ++present;
    m.precision_macro += k.ppv;
    m.recall_macro += k.sensitivity;
    m.f1_macro += k.f1;
    const double w = static_cast<double>(k.support);
    m.precision_weighted += w * k.ppv;
    m.recall_weighted += w * k.sensitivity;
    m.f1_weighted += w * k.f1;
  }
  if (present > 0) {
    m.precision_macro /= present;
    m.recall_macro /= present;
    m.f1_macro /= present;
  }
  const double n = static_cast<double>(m.n);
  m.precision_weighted = ratio(m.precision_weighted, n);
  m.recall_weighted = ratio(m.recall_weighted, n);
  m.f1_weighted = ratio(m.f1_weighted, n);
  return m;
}

nlohmann::json to_json(const Metrics& m) {
  nlohmann::json j;
  j["n"] = m.n;
  j["accuracy"] = m.accuracy;
  j["precision_macro"] = m.precision_macro;
  j["recall_macro"] = m.recall_macro;
  j["f1_macro"] = m.f1_macro;
  j["precision_weighted"] = m.precision_weighted;
  j["recall_weighted"] = m.recall_weighted;
  j["f1_weighted"] = m.f1_weighted;
  j["confusion_matrix"] = m.confusion;
  j["confusion_matrix_axes"] = "rows: truth, columns: prediction, classes N S V F Q";
  for (int c = 0; c < kMetricClasses; ++c) {
    const auto& k = m.per_class[static_cast<std::size_t>(c)];
    j["per_class"][std::string(class_name(c))] = {{"support", k.support},   {"predicted", k.predicted},
                                                  {"se", k.sensitivity},    {"ppv", k.ppv},
                                                  {"specificity", k.specificity}, {"fpr", k.fpr},
                                                  {"f1", k.f1}};
  }
  return j;
}

std::vector<std::int32_t> argmax_rows(std::span<const float> proba, std::size_t classes) {
  if (classes == 0 || proba.size() % classes) throw InvalidArgument("argmax_rows: not a whole number of rows");
  std::vector<std::int32_t> out(proba.size() / classes);
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < classes; ++c)
      if (proba[i * classes + c] > proba[i * classes + best]) best = c;
    out[i] = static_cast<std::int32_t>(best);
  }
  return out;
}

}  // namespace heartwave
