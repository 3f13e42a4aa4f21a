#include "heartwave/compare.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>
#include <random>

#include <nlohmann/json.hpp>

#include "heartwave/error.hpp"
#include "heartwave/file_util.hpp"
#include "heartwave/label_sets.hpp"
#include "heartwave/metrics.hpp"
#include "heartwave/text_parse.hpp"

namespace heartwave {

namespace {

constexpr std::string_view kHeader = "record,r_sample,label,predicted";

std::int32_t parse_class(std::string_view field, const std::string& where, std::string_view what, bool allow_empty) {
  if (field.empty() && allow_empty) return -1;
  for (int c = 0; c < kNumClasses; ++c)
    if (field == class_name(c)) return c;
  throw ParseError(where + ": " + std::string(what) + " '" + std::string(field.substr(0, 16)) + "' is not one of N S V F Q");
}

}  // namespace

PredictionRows parse_predictions_csv(std::string_view text, const std::string& source) {
  PredictionRows out;
  std::size_t line_no = 0;
  bool header = true;
  std::vector<std::string_view> fields;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    line = trim(line);
    if (line.empty()) continue;
    const std::string where = source + ":" + std::to_string(line_no);
    if (header) {
      if (line.substr(0, kHeader.size()) != kHeader)
        throw ParseError(where + ": expected the header '" + std::string(kHeader) + ",p_N,...' of a heartwave predictions CSV");
      header = false;
      continue;
    }
    split_commas(line, fields);
    if (fields.size() < 4)
      throw ParseError(where + ": expected at least 4 fields (record, r_sample, label, predicted), found " + std::to_string(fields.size()));
    if (fields[0].empty()) throw ParseError(where + ": empty record field");
    out.record.emplace_back(fields[0]);
    out.r_sample.push_back(parse_int(fields[1], where, "r_sample"));
    out.truth.push_back(parse_class(fields[2], where, "label", true));
    out.predicted.push_back(parse_class(fields[3], where, "predicted", false));
  }
  if (header) throw ParseError(source + ": empty (no header)");
  if (out.size() == 0) throw ParseError(source + ": no beats");
  return out;
}

PredictionRows read_predictions_csv(const std::filesystem::path& path) {
  const auto file = std::filesystem::is_directory(path) ? path / "predictions.csv" : path;
  return parse_predictions_csv(read_file_text(file), file.string());
}

double sign_test_p(std::size_t better, std::size_t worse) {
  const std::size_t n = better + worse;
  if (n == 0) return 1.0;
  const std::size_t k = std::min(better, worse);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space.
  double tail = 0;
  for (std::size_t i = 0; i <= k; ++i) {
    const double log_term = std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(i) + 1) -
                            std::lgamma(static_cast<double>(n - i) + 1) - static_cast<double>(n) * std::log(2.0);
    tail += std::exp(log_term);
  }
  return std::min(1.0, 2 * tail);
}

namespace {

constexpr std::array<const char*, 7> kFigures = {"accuracy", "f1_macro", "f1_nsv", "sveb_se", "sveb_ppv", "veb_se", "veb_ppv"};

std::array<double, kFigures.size()> figures_of(const Confusion& c) {
  const Metrics m = metrics_from_confusion(c);
  const auto& pc = m.per_class;
  return {m.accuracy, m.f1_macro, (pc[0].f1 + pc[1].f1 + pc[2].f1) / 3, pc[1].sensitivity, pc[1].ppv, pc[2].sensitivity, pc[2].ppv};
}

// Misclassified beats, S errors (missed + false S), V errors.
std::array<std::size_t, 3> errors_of(const Confusion& c) {
  std::array<std::size_t, 3> e{};
  for (std::size_t a = 0; a < kMetricClasses; ++a)
    for (std::size_t b = 0; b < kMetricClasses; ++b)
      if (a != b) {
        e[0] += c[a][b];
        if (a == 1 || b == 1) e[1] += c[a][b];
        if (a == 2 || b == 2) e[2] += c[a][b];
      }
  return e;
}

}  // namespace

nlohmann::json compare_predictions(const PredictionRows& a, const PredictionRows& b, const CompareOptions& options) {
  if (options.rounds < 100) throw InvalidArgument("compare: at least 100 bootstrap rounds");
  if (a.size() != b.size())
    throw InvalidArgument("compare: the baseline has " + std::to_string(a.size()) + " beats, the candidate " +
                          std::to_string(b.size()) + ": they must list the same beats");
  // The same beats, matched by record and R sample (cv writes them fold by
  // fold, so two fold schemes list them in different orders).
  std::map<std::pair<std::string_view, std::int64_t>, std::size_t> in_candidate;
  for (std::size_t i = 0; i < b.size(); ++i)
    if (!in_candidate.try_emplace({b.record[i], b.r_sample[i]}, i).second)
      throw InvalidArgument("compare: the candidate lists record " + b.record[i] + ", r_sample " + std::to_string(b.r_sample[i]) +
                            " twice (row " + std::to_string(i + 1) + ")");
  std::vector<std::string> names;
  std::map<std::string, std::size_t> index;
  std::vector<std::array<Confusion, 2>> per_record;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string row = "row " + std::to_string(i + 1) + " (record " + a.record[i] + ", r_sample " + std::to_string(a.r_sample[i]) + ")";
    const auto found = in_candidate.find({a.record[i], a.r_sample[i]});
    if (found == in_candidate.end())
      throw InvalidArgument("compare: the baseline's " + row + " is not in the candidate: the files must list the same beats");
    const std::size_t k = found->second;
    in_candidate.erase(found);  // a beat listed twice in the baseline is then missing
    if (a.truth[i] < 0 || b.truth[k] < 0) throw InvalidArgument("compare: the baseline's " + row + " has no label in one of the files");
    if (a.truth[i] != b.truth[k]) throw InvalidArgument("compare: the baseline's " + row + " is labelled differently in the two files");
    auto [it, inserted] = index.try_emplace(a.record[i], names.size());
    if (inserted) {
      names.push_back(a.record[i]);
      per_record.emplace_back();
    }
    auto& c = per_record[it->second];
    const auto t = static_cast<std::size_t>(a.truth[i]);
    ++c[0][t][static_cast<std::size_t>(a.predicted[i])];
    ++c[1][t][static_cast<std::size_t>(b.predicted[k])];
  }

  std::array<Confusion, 2> pooled{};
  for (const auto& c : per_record) {
    add_confusion(pooled[0], c[0]);
    add_confusion(pooled[1], c[1]);
  }
  const auto fa = figures_of(pooled[0]), fb = figures_of(pooled[1]);

  // Paired bootstrap: the same drawn records score both classifiers.
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<std::size_t> pick(0, per_record.size() - 1);
  std::array<std::vector<double>, kFigures.size()> diffs;
  for (int r = 0; r < options.rounds; ++r) {
    std::array<Confusion, 2> sum{};
    for (std::size_t k = 0; k < per_record.size(); ++k) {
      const auto& c = per_record[pick(rng)];
      add_confusion(sum[0], c[0]);
      add_confusion(sum[1], c[1]);
    }
    const auto da = figures_of(sum[0]), db = figures_of(sum[1]);
    for (std::size_t f = 0; f < kFigures.size(); ++f) diffs[f].push_back(db[f] - da[f]);
  }

  nlohmann::json j;
  j["beats"] = a.size();
  j["records"] = names.size();
  j["rounds"] = options.rounds;
  j["seed"] = options.seed;
  for (std::size_t f = 0; f < kFigures.size(); ++f) {
    auto& v = diffs[f];
    double better = 0;
    for (double d : v) better += d > 0 ? 1.0 : d == 0 ? 0.5 : 0.0;
    j["figures"][kFigures[f]] = {{"baseline", fa[f]},
                                 {"candidate", fb[f]},
                                 {"difference", fb[f] - fa[f]},
                                 {"ci95", interval95(v)},
                                 {"share_better", better / static_cast<double>(v.size())}};
  }
  constexpr std::array<const char*, 3> kErrors = {"errors", "s_errors", "v_errors"};
  std::array<std::array<std::size_t, 3>, 3> tally{};  // [error kind][better, worse, tied]
  j["per_record"] = nlohmann::json::array();
  for (std::size_t r = 0; r < names.size(); ++r) {
    const auto ea = errors_of(per_record[r][0]), eb = errors_of(per_record[r][1]);
    std::size_t beats = 0;
    for (const auto& row : per_record[r][0])
      for (std::size_t n : row) beats += n;
    nlohmann::json rec = {{"record", names[r]}, {"beats", beats}};
    for (std::size_t e = 0; e < kErrors.size(); ++e) {
      rec[kErrors[e]] = {ea[e], eb[e]};
      ++tally[e][eb[e] < ea[e] ? 0 : eb[e] > ea[e] ? 1 : 2];
    }
    j["per_record"].push_back(std::move(rec));
  }
  for (std::size_t e = 0; e < kErrors.size(); ++e)
    j["sign_tests"][kErrors[e]] = {{"better", tally[e][0]},
                                   {"worse", tally[e][1]},
                                   {"tied", tally[e][2]},
                                   {"p", sign_test_p(tally[e][0], tally[e][1])}};
  return j;
}

}  // namespace heartwave
