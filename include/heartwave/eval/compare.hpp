// Paired comparison of two classifiers on the same beats, with the record
// (the patient) as the unit: with 22 DS1 records, a change of a point in
// pooled macro-F1 is often one record moving, so a ranking needs to say how
// many records moved which way.
//
// Inputs are the predictions CSVs that `heartwave cv`, `evaluate` and
// `predict` write (record,r_sample,label,predicted,p_N,...,p_Q). Both files
// must list the same beats (matched by record and R sample, in any order)
// with the same labels.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace heartwave {

struct PredictionRows {
  std::vector<std::string> record;
  std::vector<std::int64_t> r_sample;
  std::vector<std::int32_t> truth;      // class 0..4, or -1 where the label field is empty
  std::vector<std::int32_t> predicted;  // class 0..4
  std::size_t size() const { return record.size(); }
};

// Parses a predictions CSV (header required; class fields are N S V F Q; the
// probability columns are not read). Throws ParseError naming `source`, the
// line and the field at fault.
PredictionRows parse_predictions_csv(std::string_view text, const std::string& source);
// `path` is the CSV or a folder holding predictions.csv.
PredictionRows read_predictions_csv(const std::filesystem::path& path);
// The rows as a CSV parse_predictions_csv reads back: the header's first four
// fields and, per beat, record, r_sample, label (empty where unknown) and
// the predicted class (no probability columns).
std::string format_predictions_csv(const PredictionRows& rows);

// Two-sided exact sign test: the probability, under "each non-tied record is
// equally likely to favour either side", of a split at least as uneven as
// `better` against `worse`. 1 when both are 0.
double sign_test_p(std::size_t better, std::size_t worse);

// The figures compare reports and select chooses by (below).
inline constexpr std::array<const char*, 9> kComparedFigures = {"accuracy", "f1_macro", "f1_nsv",        "sveb_se",       "sveb_ppv",
                                                                "veb_se",   "veb_ppv",  "sveb_ppv_ec57", "veb_ppv_ec57"};

struct CompareOptions {
  int rounds = 2000;        // paired bootstrap draws over records
  std::uint64_t seed = 42;
};

// The figures compared (pooled over the beats of the drawn records), and the
// criteria select chooses by:
//   accuracy, f1_macro (5 classes, as metrics.json), f1_nsv (macro-F1 over
//   N, S and V only: F is mostly one record and Q a handful of beats),
//   sveb_se, sveb_ppv, veb_se, veb_ppv (every wrong call a false positive),
//   sveb_ppv_ec57, veb_ppv_ec57 (EC57's, as metrics.hpp's Ec57Figures).
// Per record, the errors counted are all misclassified beats, S errors (S
// missed plus false S) and V errors; the sign test counts records where
// the candidate makes fewer / more of them.
// JSON: {"beats", "records", "figures": {name: {"baseline", "candidate",
// "difference", "ci95": [lo, hi], "share_better"}} (share_better:
// the share of bootstrap draws where the candidate is higher, ties halved), "sign_tests":
// {"errors"|"s_errors"|"v_errors": {"better", "worse", "tied", "p"}},
// "per_record": [{"record", "beats", "errors": [a, b], "s_errors": [a, b],
// "v_errors": [a, b]}], "rounds", "seed"}.
// Records are listed in the baseline's order. Throws InvalidArgument when
// the beats differ (naming the first baseline row without a match), a beat
// is listed twice, or a label is missing or differs.
nlohmann::json compare_predictions(const PredictionRows& baseline, const PredictionRows& candidate,
                                   const CompareOptions& options = {});

// Choosing among several classifiers by the same beats, with the choice
// itself cross-validated over records: each record is decided by the
// candidate that scores best (`criterion`, pooled) on all the other
// records, so the pooled result ("nested") estimates what picking a
// candidate this way is worth on a record the choice never saw, where the
// best pooled score of the candidates is optimistic (it was picked for
// being highest). Ties go to the earlier candidate, so list the baseline
// first. When the candidates are cross-validated predictions, each record's
// predictions came from models fitted on the other records, so the scores
// the choice is made on saw the held-out record in training; the estimate
// is nested for the choice, not for the fitting.
//
// JSON: {"criterion", "beats", "records", "candidates": [{"name",
// "figures": {name: value} (pooled, as compare's), "chosen_for": records
// decided by it}], "chosen_on_all": index of the candidate best on every
// record, "nested": {"figures": {...}}, "optimism": the chosen-on-all
// candidate's criterion minus the nested one, "per_record": [{"record",
// "chosen": index}]}. `nested`, when given, receives the nested decisions in
// the first candidate's row order. Throws InvalidArgument for fewer than
// two candidates, an unknown criterion, or beats that differ (as compare).
//
// `floors` (figure name -> minimum, a fraction as the figures are) turn the
// choice into an operating point: among the candidates whose figures on the
// other records meet every floor, the one with the highest criterion; if
// none meets them all, the highest criterion among all. The JSON then also
// holds "floors" and, per candidate, "meets_floors" (pooled over all records).
nlohmann::json select_nested(const std::vector<PredictionRows>& candidates, const std::vector<std::string>& names,
                             std::string_view criterion = "f1_macro", PredictionRows* nested = nullptr,
                             const std::vector<std::pair<std::string, double>>& floors = {});

}  // namespace heartwave
