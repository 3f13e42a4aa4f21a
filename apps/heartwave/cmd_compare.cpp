// heartwave compare: two predictions CSVs of the same beats, compared record
// by record (sign tests) and pooled (paired bootstrap over records).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/eval/compare.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/text_parse.hpp"

namespace heartwave::cli {

void register_compare(CLI::App& app, CompareArgs& c, int& status) {
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Compare two classifiers' predictions of the same beats (e.g. two `heartwave cv` folders): per-record sign tests and a paired "
      "bootstrap over records");
  cmd->add_option("baseline", c.baseline, "Baseline predictions.csv, or a folder holding one")->required();
  cmd->add_option("candidate", c.candidate, "Candidate predictions.csv, or a folder holding one")->required();
  cmd->add_option("--out", c.out, "Also write the comparison as JSON to this file");
  cmd->add_option("--rounds", c.rounds, "Paired bootstrap draws over records")->check(CLI::Range(100, 1000000));
  cmd->add_option("--seed", c.seed, "Bootstrap seed");
  cmd->add_flag("--per-record", c.per_record, "Also print each record's error counts");
  cmd->callback([&] { status = run_compare(c); });
}

int run_compare(const CompareArgs& a) {
  return guarded([&] {
    if (!a.out.empty()) prepare_output_file(a.out);
    const PredictionRows base = read_predictions_csv(a.baseline);
    const PredictionRows cand = read_predictions_csv(a.candidate);
    nlohmann::json j = compare_predictions(base, cand, {a.rounds, a.seed});
    std::printf("%zu beats in %zu records; candidate minus baseline, 95%% interval by paired bootstrap over records (%d draws)\n\n",
                j["beats"].get<std::size_t>(), j["records"].get<std::size_t>(), a.rounds);
    std::printf("%-13s %9s %9s %9s   %-19s %s\n", "figure", "baseline", "candidate", "diff", "95% interval", "draws better");
    for (const char* name : kComparedFigures) {
      const auto& f = j["figures"][name];
      const auto pct = [&](const char* key) { return 100.0 * f[key].get<double>(); };
      std::printf("%-13s %9.2f %9.2f %+9.2f   [%+7.2f, %+7.2f]  %5.1f%%\n", name, pct("baseline"), pct("candidate"),
                  pct("difference"), 100.0 * f["ci95"][0].get<double>(), 100.0 * f["ci95"][1].get<double>(), pct("share_better"));
    }
    std::printf("\nrecords where the candidate makes fewer / more errors (two-sided exact sign test, ties dropped)\n");
    for (const auto& [name, t] : j["sign_tests"].items())
      std::printf("%-13s %3zu better %3zu worse %3zu tied   p = %.3g\n", name.c_str(), t["better"].get<std::size_t>(),
                  t["worse"].get<std::size_t>(), t["tied"].get<std::size_t>(), t["p"].get<double>());
    if (a.per_record) {
      std::printf("\n%-8s %7s %15s %15s %15s\n", "record", "beats", "errors", "S errors", "V errors");
      for (const auto& r : j["per_record"])
        std::printf("%-8s %7zu %7zu>%-7zu %7zu>%-7zu %7zu>%-7zu\n", r["record"].get<std::string>().c_str(), r["beats"].get<std::size_t>(),
                    r["errors"][0].get<std::size_t>(), r["errors"][1].get<std::size_t>(), r["s_errors"][0].get<std::size_t>(),
                    r["s_errors"][1].get<std::size_t>(), r["v_errors"][0].get<std::size_t>(), r["v_errors"][1].get<std::size_t>());
    }
    if (!a.out.empty()) {
      j["build"] = build_info();
      write_file_atomic(a.out, j.dump(2) + "\n");
      std::printf("\nwrote %s\n", a.out.c_str());
    }
    return 0;
  });
}

void register_select(CLI::App& app, SelectArgs& s, int& status) {
  CLI::App* cmd = app.add_subcommand(
      "select",
      "Choose among classifiers' predictions of the same beats (e.g. the decided.csv of several `heartwave cv` runs) by a figure, "
      "with the choice cross-validated over records: each record is decided by the candidate best on the others");
  cmd->add_option("candidates", s.candidates,
                  "Predictions CSVs (or folders holding predictions.csv), the baseline first: it wins ties")
      ->required()
      ->expected(2, -1);
  cmd->add_option("--criterion", s.criterion, "Figure the choice maximises, pooled over the other records")
      ->check(CLI::IsMember(std::vector<std::string>(kComparedFigures.begin(), kComparedFigures.end())));
  cmd->add_option("--floor", s.floors,
                  "FIGURE=MIN (repeatable; MIN a fraction, e.g. sveb_ppv=0.6): an operating point; only candidates whose figures on the "
                  "other records meet every floor are chosen from, unless none does");
  cmd->add_option("--out", s.out, "Also write the selection as JSON to this file");
  cmd->add_option("--predictions-out", s.predictions_out,
                  "Write the nested decisions (record,r_sample,label,predicted) to this CSV, for `heartwave compare`");
  cmd->callback([&] { status = run_select(s); });
}

int run_select(const SelectArgs& a) {
  return guarded([&] {
    if (!a.out.empty()) prepare_output_file(a.out);
    if (!a.predictions_out.empty()) prepare_output_file(a.predictions_out);
    std::vector<std::pair<std::string, double>> floors;
    std::string floor_text;
    for (const auto& f : a.floors) {
      const auto eq = f.find('=');
      const auto malformed = [&] { return InvalidArgument("select: --floor '" + f + "': expected FIGURE=MIN, e.g. sveb_ppv=0.6"); };
      if (eq == std::string::npos || eq == 0) throw malformed();
      try {
        floors.emplace_back(f.substr(0, eq), parse_double(std::string_view(f).substr(eq + 1), "--floor", "minimum"));
      } catch (const ParseError&) {
        throw malformed();
      }
      floor_text += (floor_text.empty() ? "" : ", ") + f;
    }
    std::vector<PredictionRows> rows;
    for (const auto& c : a.candidates) rows.push_back(read_predictions_csv(c));
    PredictionRows nested;
    nlohmann::json j = select_nested(rows, a.candidates, a.criterion, &nested, floors);
    std::printf("%zu beats in %zu records; each record decided by the candidate with the highest %s on the other records%s\n\n",
                j["beats"].get<std::size_t>(), j["records"].get<std::size_t>(), a.criterion.c_str(),
                floors.empty() ? "" : (" among those meeting " + floor_text + " there").c_str());
    const auto row = [](const std::string& label, const nlohmann::json& f, const std::string& tail) {
      std::printf("%-34s", label.c_str());
      for (const char* name : kComparedFigures) std::printf(" %13.2f", 100.0 * f[name].get<double>());
      std::printf("  %s\n", tail.c_str());
    };
    std::printf("%-34s", "candidate (pooled)");
    for (const char* name : kComparedFigures) std::printf(" %13s", name);
    std::printf("  chosen for\n");
    const std::size_t on_all = j["chosen_on_all"].get<std::size_t>();
    for (std::size_t c = 0; c < rows.size(); ++c) {
      const auto& cand = j["candidates"][c];
      // A cv folder's file is named by its folder (the candidate), others by their path.
      const std::filesystem::path path = cand["name"].get<std::string>();
      const bool in_cv_folder = path.filename() == "decided.csv" || path.filename() == "predictions.csv";
      std::string label = std::to_string(c + 1) + " " +
                          (in_cv_folder && path.has_parent_path() ? path.parent_path().filename().string() : path.string());
      if (label.size() > 33) label = "..." + label.substr(label.size() - 30);
      const bool below = cand.contains("meets_floors") && !cand["meets_floors"].get<bool>();
      row(label, cand["figures"],
          std::to_string(cand["chosen_for"].get<std::size_t>()) + " records" + (below ? "  (below a floor)" : "") +
              (c == on_all ? "  <- best on all" : ""));
    }
    row("nested (the choice cross-validated)", j["nested"]["figures"], "");
    std::printf("\noptimism of the best candidate's %s: %+.2f points\nper record:", a.criterion.c_str(),
                100.0 * j["optimism"].get<double>());
    for (const auto& r : j["per_record"]) std::printf(" %s:%zu", r["record"].get<std::string>().c_str(), r["chosen"].get<std::size_t>() + 1);
    std::printf("\n");
    if (!a.predictions_out.empty()) {
      write_file_atomic(a.predictions_out, format_predictions_csv(nested));
      std::printf("wrote %s\n", a.predictions_out.c_str());
    }
    if (!a.out.empty()) {
      j["build"] = build_info();
      write_file_atomic(a.out, j.dump(2) + "\n");
      std::printf("wrote %s\n", a.out.c_str());
    }
    return 0;
  });
}

}  // namespace heartwave::cli
