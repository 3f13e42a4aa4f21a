#include "heartwave/eval/metrics.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "heartwave/core/error.hpp"
#include "heartwave/beats/label_sets.hpp"

namespace heartwave {
namespace {
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
}  // namespace

namespace {
Confusion confusion_of(std::span<const std::int32_t> truth, std::span<const std::int32_t> pred) {
  if (truth.size() != pred.size()) throw InvalidArgument("compute_metrics: truth and predictions differ in length");
  Confusion c{};
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || truth[i] >= kMetricClasses || pred[i] < 0 || pred[i] >= kMetricClasses)
      throw InvalidArgument("compute_metrics: label outside 0..4 at row " + std::to_string(i));
    ++c[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(pred[i])];
  }
  return c;
}
}  // namespace

Metrics compute_metrics(std::span<const std::int32_t> truth, std::span<const std::int32_t> pred) {
  return metrics_from_confusion(confusion_of(truth, pred));
}

Ec57Figures ec57_figures(const Confusion& c) {
  constexpr std::size_t N = 0, S = 1, V = 2, F = 3, Q = 4;
  Ec57Figures e;
  for (const auto& row : c)
    for (auto v : row) e.beats += v;
  e.veb_tp = c[V][V];
  e.veb_fn = c[V][N] + c[V][S] + c[V][F] + c[V][Q];
  e.veb_fp = c[N][V] + c[S][V];  // F and Q beats called V are not counted
  for (std::size_t a : {N, S, F, Q})
    for (std::size_t b : {N, S, F, Q}) e.veb_tn += c[a][b];
  e.sveb_tp = c[S][S];
  e.sveb_fn = c[S][N] + c[S][V] + c[S][F] + c[S][Q];
  e.sveb_fp = c[N][S] + c[V][S] + c[F][S];  // Q beats called S are not counted
  const auto d = [](std::size_t x) { return static_cast<double>(x); };
  e.veb_se = ratio(d(e.veb_tp), d(e.veb_tp + e.veb_fn));
  e.veb_ppv = ratio(d(e.veb_tp), d(e.veb_tp + e.veb_fp));
  e.veb_fpr = ratio(d(e.veb_fp), d(e.veb_tn + e.veb_fp));
  e.sveb_se = ratio(d(e.sveb_tp), d(e.sveb_tp + e.sveb_fn));
  e.sveb_ppv = ratio(d(e.sveb_tp), d(e.sveb_tp + e.sveb_fp));
  return e;
}

Ec57Figures ec57_from(std::span<const std::int32_t> truth, std::span<const std::int32_t> pred,
                      std::span<const std::int64_t> r_sample, std::int64_t from_sample) {
  if (r_sample.size() != truth.size()) throw InvalidArgument("ec57_from: one r_sample per row needed");
  std::vector<std::int32_t> t, p;
  if (truth.size() != pred.size()) throw InvalidArgument("ec57_from: truth and predictions differ in length");
  for (std::size_t i = 0; i < truth.size(); ++i)
    if (r_sample[i] >= 0 && r_sample[i] >= from_sample) {
      t.push_back(truth[i]);
      p.push_back(pred[i]);
    }
  return ec57_figures(confusion_of(t, p));  // validates the labels kept
}

nlohmann::json to_json(const Ec57Figures& e) {
  return {{"beats", e.beats},
          {"veb", {{"se", e.veb_se}, {"ppv", e.veb_ppv}, {"fpr", e.veb_fpr}, {"tp", e.veb_tp}, {"fn", e.veb_fn},
                   {"fp", e.veb_fp}, {"tn", e.veb_tn}}},
          {"sveb", {{"se", e.sveb_se}, {"ppv", e.sveb_ppv}, {"tp", e.sveb_tp}, {"fn", e.sveb_fn}, {"fp", e.sveb_fp}}}};
}

Metrics metrics_from_confusion(const Confusion& confusion) {
  Metrics m;
  m.ec57 = ec57_figures(confusion);
  m.confusion = confusion;
  for (const auto& row : confusion)
    for (auto v : row) m.n += v;
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
  j["ec57"] = to_json(m.ec57);
  j["ec57"]["convention"] =
      "ANSI/AAMI EC57 as PhysioNet's bxb computes it: F and Q beats called V are not false VEBs, Q beats called S are not "
      "false SVEBs";
  return j;
}

void add_confusion(Confusion& to, const Confusion& from) {
  for (std::size_t a = 0; a < kMetricClasses; ++a)
    for (std::size_t b = 0; b < kMetricClasses; ++b) to[a][b] += from[a][b];
}

std::array<double, 2> interval95(std::vector<double> v) {
  if (v.empty()) throw InvalidArgument("interval95: no draws");
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)]; };
  return {at(0.025), at(0.975)};
}

nlohmann::json bootstrap_by_record(std::span<const std::int32_t> truth, std::span<const std::int32_t> pred,
                                   std::span<const std::int32_t> record, int rounds, std::uint64_t seed) {
  if (record.size() != truth.size()) throw InvalidArgument("bootstrap_by_record: one record id per row needed");
  if (rounds < 10) throw InvalidArgument("bootstrap_by_record: at least 10 rounds");
  std::map<std::int32_t, Confusion> per_record;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    add_confusion(per_record[record[i]], confusion_of(truth.subspan(i, 1), pred.subspan(i, 1)));
  }
  std::vector<const Confusion*> recs;
  for (const auto& [r, c] : per_record) recs.push_back(&c);
  if (recs.empty()) throw InvalidArgument("bootstrap_by_record: no rows");
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, recs.size() - 1);
  std::map<std::string, std::vector<double>> samples;
  for (int r = 0; r < rounds; ++r) {
    Confusion sum{};
    for (std::size_t k = 0; k < recs.size(); ++k) {
      add_confusion(sum, *recs[pick(rng)]);
    }
    const Metrics m = metrics_from_confusion(sum);
    samples["accuracy"].push_back(m.accuracy);
    samples["f1_macro"].push_back(m.f1_macro);
    for (int c = 0; c < kMetricClasses; ++c) {
      const std::string name(class_name(c));
      samples[name + ".se"].push_back(m.per_class[static_cast<std::size_t>(c)].sensitivity);
      samples[name + ".ppv"].push_back(m.per_class[static_cast<std::size_t>(c)].ppv);
    }
    samples["ec57.veb_ppv"].push_back(m.ec57.veb_ppv);
    samples["ec57.sveb_ppv"].push_back(m.ec57.sveb_ppv);
  }
  const auto interval = [](std::vector<double> v) { return nlohmann::json(interval95(std::move(v))); };
  nlohmann::json j;
  j["rounds"] = rounds;
  j["records"] = recs.size();
  j["accuracy"] = interval(samples["accuracy"]);
  j["f1_macro"] = interval(samples["f1_macro"]);
  for (int c = 0; c < kMetricClasses; ++c) {
    const std::string name(class_name(c));
    j["per_class"][name] = {{"se", interval(samples[name + ".se"])}, {"ppv", interval(samples[name + ".ppv"])}};
  }
  j["ec57"] = {{"veb_ppv", interval(samples["ec57.veb_ppv"])}, {"sveb_ppv", interval(samples["ec57.sveb_ppv"])}};
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
