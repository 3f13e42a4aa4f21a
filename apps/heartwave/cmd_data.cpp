#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "cli.hpp"
#include "heartwave/features/groups.hpp"
#include "heartwave/data/builder.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/fetch.hpp"
#include "heartwave/io/file_util.hpp"
#include "progress.hpp"

namespace heartwave::cli {

void register_data(CLI::App& app, DataBuildArgs& b, DataFetchArgs& f, int& status) {
  CLI::App* data = app.add_subcommand("data", "Build beat datasets; download PhysioNet databases");
  data->require_subcommand(1);

  CLI::App* build = data->add_subcommand("build", "Read the MIT-BIH records and write the beat datasets (.npy + manifest.json)");
  build->add_option("--protocol", b.protocol, "seed (random 80/10/10 by beat) or inter-patient (DS1/DS2 by record)")
      ->required()
      ->check(CLI::IsMember({"seed", "inter-patient"}));
  b.data_dir = default_data_dir();
  build->add_option("--data-dir", b.data_dir, "WFDB database folder (default: $HEARTWAVE_DATA or ../shared/data/mitdb)")
      ->capture_default_str();
  build->add_option("--out", b.out, "Output folder")->required();
  build->add_option("--labels", b.labels, "Label set: seed or aami (default: seed for --protocol seed, aami for inter-patient)")
      ->check(CLI::IsMember({"seed", "aami"}));
  build->add_option("--seed", b.seed, "Random seed for splits and SMOTE")->capture_default_str();
  build->add_flag("--no-smote", b.no_smote, "Do not oversample the training split");
  build->add_option("--smote-target", b.smote_target, "Rows per oversampled class (classes 1 and 3) after SMOTE")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  build->add_option("--threads", b.threads, "Worker threads")->capture_default_str()->check(CLI::Range(1, 256));
  build->add_option("--lead-name", b.lead_name, "Lead to use, by signal name ('' to choose by --lead only)")->capture_default_str();
  build->add_option("--lead", b.lead, "Signal index to use when a record has no signal named --lead-name")->capture_default_str();
  std::string groups_help = "Feature groups, in column order (comma separated; rr, morph and template always):";
  for (const auto& g : feature_groups())
    groups_help += std::string(" ") + g.name + " (" + g.columns + ": " + g.description + (g.needs ? std::string("; needs ") + g.needs : "") + ");";
  groups_help += " e.g. rr,morph,template,l2_template,relative for the default model's dataset";
  auto* features = build->add_option("--features", b.features, groups_help)->delimiter(',');
  const auto alias = [&](const char* flag, bool& value, const char* group) {
    build->add_flag(flag, value, std::string("Alias: adds the ") + group + " group (kept for older scripts; --features says it in one list)")
        ->excludes(features);
  };
  alias("--second-lead", b.second_lead, "l2_template");
  alias("--relative-morphology", b.relative_morphology, "relative");
  alias("--signal-quality", b.signal_quality, "quality");
  alias("--second-lead-morphology", b.second_lead_morphology, "l2_relative");
  build->add_option("--folds", b.folds, "Record-grouped folds inside DS1 (inter-patient)")->capture_default_str()->check(CLI::Range(2, 22));
  build->add_flag("--remove-baseline", b.remove_baseline, "Remove baseline wander (200/600 ms median filters) first");
  build->add_option("--records", b.records, "Only these records (comma separated)")->delimiter(',');
  build->callback([&] { status = run_data_build(b); });

  CLI::App* fetch = data->add_subcommand("fetch", "Download a PhysioNet database, verifying SHA256SUMS.txt");
  fetch->add_option("--db", f.db, "Database slug")->capture_default_str();
  fetch->add_option("--db-version", f.version, "Database version")->capture_default_str();
  fetch->add_option("--dest", f.dest, "Destination folder (default: $XDG_CACHE_HOME or ~/.cache, then heartwave/<db>/<version>)");
  fetch->add_option("--base-url", f.base_url, "Server root")->capture_default_str();
  fetch->callback([&] { status = run_data_fetch(f); });
}

int run_data_build(const DataBuildArgs& a) {
  return guarded([&] {
    if (a.second_lead_morphology && !a.second_lead) throw InvalidArgument("--second-lead-morphology needs --second-lead");
    BuildOptions opt;
    opt.protocol = parse_protocol(a.protocol);
    opt.data_dir = a.data_dir;
    opt.out_dir = a.out;
    opt.labels = parse_label_set(!a.labels.empty() ? a.labels : opt.protocol == Protocol::seed ? "seed" : "aami");
    opt.seed = a.seed;
    opt.smote = !a.no_smote;
    opt.smote_targets = {{1, static_cast<std::size_t>(a.smote_target)}, {3, static_cast<std::size_t>(a.smote_target)}};
    opt.threads = a.threads;
    opt.pre.lead = a.lead;
    opt.pre.lead_name = a.lead_name;
    opt.pre.second_lead = a.second_lead;
    opt.pre.relative_morphology = a.relative_morphology;
    opt.pre.signal_quality = a.signal_quality;
    opt.pre.second_lead_morphology = a.second_lead_morphology;
    if (!a.features.empty()) select_feature_groups(opt.pre, a.features);  // refused before any folder is made
    prepare_output_dir(a.out);
    opt.pre.remove_baseline = a.remove_baseline;
    opt.folds = a.folds;
    opt.records = a.records;
    if (!std::filesystem::is_directory(opt.data_dir))
      throw IoError(opt.data_dir.string() + ": data folder not found (set --data-dir or HEARTWAVE_DATA)");
    Progress bar;
    opt.progress = [&](const std::string& s, std::size_t d, std::size_t t) { bar.update(s, d, t); };
    const BuildReport r = build_dataset(opt);
    bar.finish();
    std::ostringstream o;
    o << "protocol " << a.protocol << ", labels " << to_string(opt.labels) << ", out " << a.out << "\n";
    {
      char buf[160];
      std::snprintf(buf, sizeof buf, "%-12s", "split");
      o << buf;
      for (int k = 0; k < kNumClasses; ++k) {
        std::snprintf(buf, sizeof buf, " %4s(%d)", std::string(class_name(k)).c_str(), k);
        o << buf;
      }
      o << "     total\n";
    }
    auto row = [&](const std::string& name, const std::array<std::size_t, kNumClasses>& c) {
      char buf[160];
      std::size_t t = 0;
      for (auto v : c) t += v;
      std::snprintf(buf, sizeof buf, "%-12s %7zu %7zu %7zu %7zu %7zu %9zu\n", name.c_str(), c[0], c[1], c[2], c[3], c[4], t);
      o << buf;
    };
    row("all", r.total);
    for (const char* s : {"train", "val", "test"}) {
      auto it = r.splits.find(s);
      if (it == r.splits.end()) continue;
      row(s, it->second.real);
      bool any = false;
      for (auto v : it->second.synthetic) any |= v > 0;
      if (any) row(std::string(s) + "+smote", [&] {
          std::array<std::size_t, kNumClasses> c{};
          for (int k = 0; k < kNumClasses; ++k) c[static_cast<std::size_t>(k)] = it->second.real[static_cast<std::size_t>(k)] + it->second.synthetic[static_cast<std::size_t>(k)];
          return c;
        }());
    }
    std::fputs(o.str().c_str(), stdout);
    std::fflush(stdout);
    double total = 0;
    for (auto& [stage, sec] : r.stage_seconds) {
      spdlog::info("stage {:<30} {:7.3f} s", stage, sec);
      total += sec;
    }
    spdlog::info("total {:.3f} s; manifest sha256 {}", total, r.manifest_sha256);
    return 0;
  });
}

int run_data_fetch(const DataFetchArgs& a) {
  return guarded([&] {
    FetchOptions opt;
    opt.base_url = a.base_url;
    opt.db = a.db;
    opt.version = a.version;
    opt.dest = a.dest;
    if (opt.dest.empty()) {
      const char* xdg = std::getenv("XDG_CACHE_HOME");
      const char* home = std::getenv("HOME");
      const std::filesystem::path cache = xdg && *xdg ? std::filesystem::path(xdg)
                                          : home && *home ? std::filesystem::path(home) / ".cache"
                                                          : std::filesystem::path(".cache");
      opt.dest = cache / "heartwave" / a.db / a.version;
    }
    Progress bar;
    opt.on_file = [&](std::size_t i, std::size_t n, const std::string& file, const std::string& what) {
      bar.update("fetch", i, n);
      spdlog::debug("{} {}", file, what);
    };
    const FetchResult r = fetch_database(opt);
    bar.finish();
    std::printf("%s %s -> %s: %zu downloaded, %zu resumed, %zu already verified, %llu bytes transferred\n",
                a.db.c_str(), a.version.c_str(), opt.dest.c_str(), r.downloaded, r.resumed, r.skipped,
                static_cast<unsigned long long>(r.bytes));
    return 0;
  });
}

}  // namespace heartwave::cli
