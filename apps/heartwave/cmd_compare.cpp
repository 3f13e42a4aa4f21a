// heartwave compare: two predictions CSVs of the same beats, compared record
// by record (sign tests) and pooled (paired bootstrap over records).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "heartwave/compare.hpp"
#include "heartwave/file_util.hpp"

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
    const nlohmann::json j = compare_predictions(base, cand, {a.rounds, a.seed});
    std::printf("%zu beats in %zu records; candidate minus baseline, 95%% interval by paired bootstrap over records (%d draws)\n\n",
                j["beats"].get<std::size_t>(), j["records"].get<std::size_t>(), a.rounds);
    std::printf("%-10s %9s %9s %9s   %-19s %s\n", "figure", "baseline", "candidate", "diff", "95% interval", "draws better");
    for (const char* name : {"accuracy", "f1_macro", "f1_nsv", "sveb_se", "sveb_ppv", "veb_se", "veb_ppv"}) {
      const auto& f = j["figures"][name];
      const auto pct = [&](const char* key) { return 100.0 * f[key].get<double>(); };
      std::printf("%-10s %9.2f %9.2f %+9.2f   [%+7.2f, %+7.2f]  %5.1f%%\n", name, pct("baseline"), pct("candidate"),
                  pct("difference"), 100.0 * f["ci95"][0].get<double>(), 100.0 * f["ci95"][1].get<double>(), pct("share_better"));
    }
    std::printf("\nrecords where the candidate makes fewer / more errors (two-sided exact sign test, ties dropped)\n");
    for (const auto& [name, t] : j["sign_tests"].items())
      std::printf("%-10s %3zu better %3zu worse %3zu tied   p = %.3g\n", name.c_str(), t["better"].get<std::size_t>(),
                  t["worse"].get<std::size_t>(), t["tied"].get<std::size_t>(), t["p"].get<double>());
    if (a.per_record) {
      std::printf("\n%-8s %7s %15s %15s %15s\n", "record", "beats", "errors", "S errors", "V errors");
      for (const auto& r : j["per_record"])
        std::printf("%-8s %7zu %7zu>%-7zu %7zu>%-7zu %7zu>%-7zu\n", r["record"].get<std::string>().c_str(), r["beats"].get<std::size_t>(),
                    r["errors"][0].get<std::size_t>(), r["errors"][1].get<std::size_t>(), r["s_errors"][0].get<std::size_t>(),
                    r["s_errors"][1].get<std::size_t>(), r["v_errors"][0].get<std::size_t>(), r["v_errors"][1].get<std::size_t>());
    }
    if (!a.out.empty()) {
      write_file_atomic(a.out, j.dump(2) + "\n");
      std::printf("\nwrote %s\n", a.out.c_str());
    }
    return 0;
  });
}

}  // namespace heartwave::cli
