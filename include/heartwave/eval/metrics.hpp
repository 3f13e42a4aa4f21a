// Classification metrics in the conventions of the field: accuracy, precision
// / recall / F1 (macro and support-weighted, as scikit-learn computes them
// over the classes present in the truth or the predictions), the confusion
// matrix, and per class sensitivity (Se), positive predictivity (+P),
// specificity, false positive rate and F1.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace heartwave {

inline constexpr int kMetricClasses = 5;

struct ClassMetrics {
  std::size_t support = 0;    // true rows of the class
  std::size_t predicted = 0;  // rows predicted as the class
  double sensitivity = 0;     // recall, TP / (TP + FN)
  double ppv = 0;             // precision, +P, TP / (TP + FP)
  double specificity = 0;     // TN / (TN + FP)
  double fpr = 0;             // FP / (FP + TN)
  double f1 = 0;
};

// The VEB and SVEB statistics as ANSI/AAMI EC57 defines them, computed as
// its reference implementation, PhysioNet's `bxb` (G. Moody), does: a fusion
// (F) or unclassifiable (Q) beat called V is not a false VEB, and a Q beat
// called S is not a false SVEB; every other beat called V (S) that is not V
// (S) is. Sensitivities equal the per-class ones; positive predictivities
// can be higher than the per-class +P, which counts every wrong call.
// (Beats here are the reference's, so bxb's unmatched-beat terms are 0.)
struct Ec57Figures {
  std::size_t beats = 0;  // every beat counted, whatever its class
  std::size_t veb_tp = 0, veb_fn = 0, veb_fp = 0, veb_tn = 0;
  std::size_t sveb_tp = 0, sveb_fn = 0, sveb_fp = 0;
  double veb_se = 0, veb_ppv = 0, veb_fpr = 0;
  double sveb_se = 0, sveb_ppv = 0;
};

struct Metrics {
  std::size_t n = 0;
  double accuracy = 0;
  double precision_macro = 0, recall_macro = 0, f1_macro = 0;
  double precision_weighted = 0, recall_weighted = 0, f1_weighted = 0;
  std::array<std::array<std::size_t, kMetricClasses>, kMetricClasses> confusion{};  // [truth][pred]
  std::array<ClassMetrics, kMetricClasses> per_class{};
  Ec57Figures ec57{};
};

using Confusion = std::array<std::array<std::size_t, kMetricClasses>, kMetricClasses>;

// Throws InvalidArgument for different lengths or labels outside 0..4.
Metrics compute_metrics(std::span<const std::int32_t> truth, std::span<const std::int32_t> predicted);
Metrics metrics_from_confusion(const Confusion& confusion);
// EC57's VEB and SVEB figures of a confusion matrix (classes N S V F Q).
Ec57Figures ec57_figures(const Confusion& confusion);
// The same over the beats whose r_sample is at least `from_sample` (bxb
// leaves each record's first 5 minutes out by default, a learning period;
// rows with a negative r_sample, beats without times, are left out too).
// Throws InvalidArgument for different lengths or labels outside 0..4.
Ec57Figures ec57_from(std::span<const std::int32_t> truth, std::span<const std::int32_t> predicted,
                      std::span<const std::int64_t> r_sample, std::int64_t from_sample);
// {"beats", "veb": {"se", "ppv", "fpr", "tp", "fn", "fp", "tn"}, "sveb": {"se", "ppv", "tp", "fn", "fp"}}
nlohmann::json to_json(const Ec57Figures& e);
// Adds `from` into `to`, cell by cell (pooling records or folds).
void add_confusion(Confusion& to, const Confusion& from);
// The 2.5th and 97.5th percentiles of bootstrap draws (nearest rank), as
// every 95% interval heartwave reports is taken.
std::array<double, 2> interval95(std::vector<double> draws);

// 95% confidence intervals by bootstrap over records (the unit that is
// independent across patients): records are drawn with replacement `rounds`
// times (seeded), their beats pooled, and the 2.5th and 97.5th percentiles of
// each figure reported. JSON: {"accuracy": [lo, hi], "f1_macro": [...],
// "per_class": {"S": {"se": [lo, hi], "ppv": [lo, hi]}, ...},
// "ec57": {"veb_ppv": [lo, hi], "sveb_ppv": [lo, hi]}, "rounds": n}.
nlohmann::json bootstrap_by_record(std::span<const std::int32_t> truth, std::span<const std::int32_t> predicted,
                                   std::span<const std::int32_t> record, int rounds = 1000, std::uint64_t seed = 42);
nlohmann::json to_json(const Metrics& m);

// Index of the largest probability in each row of an n x 5 matrix.
std::vector<std::int32_t> argmax_rows(std::span<const float> proba, std::size_t classes = kMetricClasses);

}  // namespace heartwave
