#include "heartwave/eval/compare.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>
#include <random>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/beats/label_sets.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/io/text_parse.hpp"

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

std::string format_predictions_csv(const PredictionRows& rows) {
  std::string csv = std::string(kHeader) + "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    csv += rows.record[i] + "," + std::to_string(rows.r_sample[i]) + ",";
    if (rows.truth[i] >= 0) csv += class_name(rows.truth[i]);
    csv += ",";
    csv += class_name(rows.predicted[i]);
    csv += "\n";
  }
  return csv;
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

constexpr const auto& kFigures = kComparedFigures;

std::array<double, kFigures.size()> figures_of(const Confusion& c) {
  const Metrics m = metrics_from_confusion(c);
  const auto& pc = m.per_class;
  return {m.accuracy,         m.f1_macro,  (pc[0].f1 + pc[1].f1 + pc[2].f1) / 3, pc[1].sensitivity, pc[1].ppv, pc[2].sensitivity,
          pc[2].ppv,          m.ec57.sveb_ppv, m.ec57.veb_ppv};
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

// The beats of several predictions files, matched by record and R sample
// (cv writes them fold by fold, so two fold schemes list them in different
// orders), with a confusion matrix per record and file. Records are in the
// first file's order; `roles` name the files in errors.
struct Aligned {
  std::vector<std::string> records;
  std::vector<std::size_t> record_of_row;        // the first file's row -> records index
  std::vector<std::vector<std::size_t>> row_in;  // [file][first file's row] -> that file's row
  std::vector<std::vector<Confusion>> confusion; // [record][file]
};

Aligned align_predictions(const std::vector<const PredictionRows*>& files, const std::vector<std::string>& roles,
                          std::string_view command) {
  const std::string cmd(command);
  const PredictionRows& a = *files[0];
  const std::size_t n_files = files.size();
  for (std::size_t f = 1; f < n_files; ++f)
    if (files[f]->size() != a.size())
      throw InvalidArgument(cmd + ": the " + roles[0] + " has " + std::to_string(a.size()) + " beats, the " + roles[f] + " " +
                            std::to_string(files[f]->size()) + ": they must list the same beats");
  std::vector<std::map<std::pair<std::string_view, std::int64_t>, std::size_t>> in_file(n_files);
  for (std::size_t f = 1; f < n_files; ++f) {
    const PredictionRows& b = *files[f];
    for (std::size_t i = 0; i < b.size(); ++i)
      if (!in_file[f].try_emplace({b.record[i], b.r_sample[i]}, i).second)
        throw InvalidArgument(cmd + ": the " + roles[f] + " lists record " + b.record[i] + ", r_sample " + std::to_string(b.r_sample[i]) +
                              " twice (row " + std::to_string(i + 1) + ")");
  }
  Aligned out;
  out.row_in.assign(n_files, std::vector<std::size_t>(a.size()));
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < a.size(); ++i) {
    // Built only for an error message, not for every beat.
    const auto row = [&] { return "row " + std::to_string(i + 1) + " (record " + a.record[i] + ", r_sample " + std::to_string(a.r_sample[i]) + ")"; };
    out.row_in[0][i] = i;
    for (std::size_t f = 1; f < n_files; ++f) {
      const auto found = in_file[f].find({a.record[i], a.r_sample[i]});
      if (found == in_file[f].end())
        throw InvalidArgument(cmd + ": the " + roles[0] + "'s " + row() + " is not in the " + roles[f] + ": the files must list the same beats");
      out.row_in[f][i] = found->second;
      in_file[f].erase(found);  // a beat listed twice in the first file is then missing
    }
    for (std::size_t f = 0; f < n_files; ++f) {
      const auto t = files[f]->truth[out.row_in[f][i]];
      if (t < 0) throw InvalidArgument(cmd + ": the " + roles[0] + "'s " + row() + " has no label in the " + roles[f]);
      if (t != a.truth[i]) throw InvalidArgument(cmd + ": the " + roles[0] + "'s " + row() + " is labelled differently in the " + roles[f]);
    }
    auto [it, inserted] = index.try_emplace(a.record[i], out.records.size());
    if (inserted) {
      out.records.push_back(a.record[i]);
      out.confusion.emplace_back(n_files);
    }
    out.record_of_row.push_back(it->second);
    const auto t = static_cast<std::size_t>(a.truth[i]);
    for (std::size_t f = 0; f < n_files; ++f)
      ++out.confusion[it->second][f][t][static_cast<std::size_t>(files[f]->predicted[out.row_in[f][i]])];
  }
  return out;
}

}  // namespace

nlohmann::json compare_predictions(const PredictionRows& a, const PredictionRows& b, const CompareOptions& options) {
  if (options.rounds < 100) throw InvalidArgument("compare: at least 100 bootstrap rounds");
  const Aligned aligned = align_predictions({&a, &b}, {"baseline", "candidate"}, "compare");
  const std::vector<std::string>& names = aligned.records;
  std::vector<std::array<Confusion, 2>> per_record;
  for (const auto& c : aligned.confusion) per_record.push_back({c[0], c[1]});

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

nlohmann::json select_nested(const std::vector<PredictionRows>& candidates, const std::vector<std::string>& names,
                             std::string_view criterion, PredictionRows* nested,
                             const std::vector<std::pair<std::string, double>>& floors) {
  const std::size_t k = candidates.size();
  if (k < 2) throw InvalidArgument("select: at least two candidates, found " + std::to_string(k));
  if (names.size() != k) throw InvalidArgument("select: one name per candidate");
  // A figure's index in kFigures, or an error naming `what` and the figures there are.
  const auto figure_index = [](std::string_view name, const char* what) {
    for (std::size_t f = 0; f < kFigures.size(); ++f)
      if (name == kFigures[f]) return f;
    throw InvalidArgument(std::string("select: unknown ") + what + " '" + std::string(name) +
                          "' (accuracy, f1_macro, f1_nsv, sveb_se, sveb_ppv, veb_se, veb_ppv, sveb_ppv_ec57 or veb_ppv_ec57)");
  };
  const std::size_t crit = figure_index(criterion, "criterion");
  std::vector<std::pair<std::size_t, double>> floor_of;  // figure index, minimum
  for (const auto& [name, min] : floors) {
    const std::size_t f = figure_index(name, "floor figure");
    if (!(min >= 0 && min <= 1)) throw InvalidArgument("select: the floor for " + name + " must be a fraction from 0 to 1 (e.g. 0.6)");
    floor_of.emplace_back(f, min);
  }
  const auto meets_floors = [&](const Confusion& c) {
    const auto f = figures_of(c);
    return std::all_of(floor_of.begin(), floor_of.end(), [&](const auto& fl) { return f[fl.first] >= fl.second; });
  };
  std::vector<const PredictionRows*> files;
  std::vector<std::string> roles;
  for (std::size_t c = 0; c < k; ++c) {
    files.push_back(&candidates[c]);
    roles.push_back("candidate " + std::to_string(c + 1) + " (" + names[c] + ")");
  }
  const Aligned aligned = align_predictions(files, roles, "select");
  const std::size_t n_records = aligned.records.size();
  if (n_records < 2) throw InvalidArgument("select: the beats come from one record; choosing without it leaves nothing");

  std::vector<Confusion> total(k);
  for (const auto& per_file : aligned.confusion)
    for (std::size_t c = 0; c < k; ++c) add_confusion(total[c], per_file[c]);
  // The earlier candidate wins ties; one that meets the floors beats one
  // that does not.
  const auto best_of = [&](const std::vector<Confusion>& conf) {
    std::vector<bool> meets(k);
    for (std::size_t c = 0; c < k; ++c) meets[c] = meets_floors(conf[c]);
    const bool any = std::find(meets.begin(), meets.end(), true) != meets.end();
    std::size_t best = k;
    double best_score = 0;
    for (std::size_t c = 0; c < k; ++c) {
      if (any && !meets[c]) continue;
      if (const double s = figures_of(conf[c])[crit]; best == k || s > best_score) {
        best = c;
        best_score = s;
      }
    }
    return best;
  };
  std::vector<std::size_t> chosen(n_records);
  std::vector<std::size_t> chosen_for(k, 0);
  Confusion nested_conf{};
  for (std::size_t r = 0; r < n_records; ++r) {
    std::vector<Confusion> without = total;
    for (std::size_t c = 0; c < k; ++c)
      for (std::size_t t = 0; t < kMetricClasses; ++t)
        for (std::size_t p = 0; p < kMetricClasses; ++p) without[c][t][p] -= aligned.confusion[r][c][t][p];
    chosen[r] = best_of(without);
    ++chosen_for[chosen[r]];
    add_confusion(nested_conf, aligned.confusion[r][chosen[r]]);
  }
  const auto figures_json = [](const Confusion& c) {
    const auto f = figures_of(c);
    nlohmann::json j;
    for (std::size_t i = 0; i < kFigures.size(); ++i) j[kFigures[i]] = f[i];
    return j;
  };
  nlohmann::json j;
  j["criterion"] = kFigures[crit];
  j["beats"] = candidates[0].size();
  j["records"] = n_records;
  j["candidates"] = nlohmann::json::array();
  for (std::size_t c = 0; c < k; ++c) {
    j["candidates"].push_back({{"name", names[c]}, {"figures", figures_json(total[c])}, {"chosen_for", chosen_for[c]}});
    if (!floors.empty()) j["candidates"].back()["meets_floors"] = meets_floors(total[c]);
  }
  if (!floors.empty())
    for (const auto& [f, min] : floor_of) j["floors"][kFigures[f]] = min;
  const std::size_t on_all = best_of(total);
  j["chosen_on_all"] = on_all;
  j["nested"]["figures"] = figures_json(nested_conf);
  j["optimism"] = figures_of(total[on_all])[crit] - figures_of(nested_conf)[crit];
  j["per_record"] = nlohmann::json::array();
  for (std::size_t r = 0; r < n_records; ++r) j["per_record"].push_back({{"record", aligned.records[r]}, {"chosen", chosen[r]}});
  if (nested) {
    const PredictionRows& first = candidates[0];
    *nested = PredictionRows{};
    for (std::size_t i = 0; i < first.size(); ++i) {
      const std::size_t c = chosen[aligned.record_of_row[i]];
      nested->record.push_back(first.record[i]);
      nested->r_sample.push_back(first.r_sample[i]);
      nested->truth.push_back(first.truth[i]);
      nested->predicted.push_back(candidates[c].predicted[aligned.row_in[c][i]]);
    }
  }
  return j;
}

}  // namespace heartwave
