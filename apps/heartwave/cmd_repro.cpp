// heartwave repro / status: the reproducible pipeline (pipeline.yaml,
// params.yaml, pipeline.lock, .heartwave/cache; docs/reproducibility.md).
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/pipeline/pipeline.hpp"
#include "heartwave/pipeline/repro.hpp"

namespace heartwave::cli {

int run_repro(const ReproArgs& a);
int run_status(const ReproArgs& a);

void register_repro(CLI::App& app, ReproArgs& a, int& status) {
  CLI::App* repro = app.add_subcommand(
      "repro", "Reproduce pipeline.yaml: run the stages whose dependencies, parameters, command or outputs changed (by SHA-256), "
               "restore earlier outputs from the cache, record each run in pipeline.lock");
  repro->add_option("stages", a.stages, "Stages to reproduce, with every stage upstream of them (default: all)");
  repro->add_option("--pipeline", a.pipeline, "Pipeline file; its paths and commands are relative to its folder")->capture_default_str();
  auto* force = repro->add_flag("-f,--force", a.force, "Run every selected stage even if nothing changed (the run cache is not consulted)");
  auto* dry = repro->add_flag("--dry-run", a.dry_run, "Print what would run or be restored from the cache; run and write nothing");
  repro->add_option("--emit-dvc", a.emit_dvc, "Write the equivalent dvc.yaml (for `dvc repro`) to this file instead of reproducing")
      ->excludes(force)
      ->excludes(dry);
  repro->callback([&] { status = run_repro(a); });

  CLI::App* st = app.add_subcommand("status", "Say which stages of pipeline.yaml are up to date, and why each other one is stale");
  st->add_option("--pipeline", a.pipeline, "Pipeline file")->capture_default_str();
  st->add_flag("--json", a.json, "Print JSON (every stage, its state and its changes) instead of text");
  st->callback([&] { status = run_status(a); });
}

int run_repro(const ReproArgs& a) {
  return guarded([&] {
    const pipeline::Pipeline p = pipeline::load_pipeline(a.pipeline);
    if (!a.emit_dvc.empty()) {
      if (!a.stages.empty()) throw InvalidArgument("--emit-dvc writes every stage: name no stage");
      write_file_atomic(a.emit_dvc, pipeline::dvc_yaml(p, a.emit_dvc));
      std::printf("wrote %s: %zu stages for `dvc repro`\n", a.emit_dvc.c_str(), p.stages.size());
      return 0;
    }
    pipeline::ReproOptions opt;
    opt.targets = a.stages;
    opt.force = a.force;
    opt.dry_run = a.dry_run;
    const pipeline::ReproResult r = pipeline::reproduce(p, opt, std::cout);
    std::cout.flush();
    if (r.ok()) return 0;
    return r.interrupted ? 128 + r.interrupted : 1;
  });
}

int run_status(const ReproArgs& a) {
  return guarded([&] {
    const pipeline::Pipeline p = pipeline::load_pipeline(a.pipeline);
    const std::vector<pipeline::StageStatus> all = pipeline::pipeline_status(p);
    std::size_t fresh = 0;
    for (const auto& s : all) fresh += s.up_to_date;
    if (a.json) {
      nlohmann::json stages = nlohmann::json::array();
      for (const auto& s : all) {
        nlohmann::json changes = nlohmann::json::array();
        for (const auto& c : s.changes) {
          nlohmann::json j = {{"kind", c.kind}, {"change", c.change}, {"message", pipeline::describe(c)}};
          if (!c.what.empty()) j[c.kind == "param" ? "key" : "path"] = c.what;
          if (c.kind == "param") j["old"] = c.old_value, j["new"] = c.new_value;
          changes.push_back(j);
        }
        const pipeline::Stage* st = p.find(s.name);
        stages.push_back({{"name", s.name},
                          {"state", s.up_to_date ? "up to date" : "stale"},
                          {"up_to_date", s.up_to_date},
                          {"frozen", st && st->frozen},
                          {"changes", changes},
                          {"upstream_stale", s.upstream_stale}});
      }
      const nlohmann::json doc = {{"pipeline", a.pipeline},
                                  {"lock", p.lock_file().filename().string()},
                                  {"up_to_date", fresh == all.size()},
                                  {"stages", stages}};
      std::printf("%s\n", doc.dump(1).c_str());
      return 0;
    }
    for (const auto& s : all) {
      std::printf("Stage '%s': %s\n", s.name.c_str(), s.up_to_date ? "up to date" : "stale");
      for (const auto& c : s.changes) std::printf("    %s\n", pipeline::describe(c).c_str());
      if (!s.upstream_stale.empty()) {
        std::string names;
        for (const auto& n : s.upstream_stale) names += (names.empty() ? "'" : ", '") + n + "'";
        std::printf("    upstream stale: %s\n", names.c_str());
      }
    }
    std::printf("%zu of %zu stages up to date%s\n", fresh, all.size(), fresh == all.size() ? ": nothing to reproduce" : "");
    return 0;
  });
}

}  // namespace heartwave::cli
