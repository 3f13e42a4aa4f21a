// The equivalent dvc.yaml, the repository's own pipeline.yaml (loaded, not
// run: it needs the MIT-BIH data), and the repro/status commands.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include "pipeline_test_util.hpp"

using namespace heartwave::pipeline;
using hwtest::read;
using hwtest::TempDir;
using hwtest::write;
namespace fs = std::filesystem;

TEST(PipelineDvc, EmitsDvcsStageFields) {
  TempDir d;
  write(d / "params.yaml", "train:\n  rounds: 5\n");
  write(d / "pipeline.yaml",
        "stages:\n"
        "  train:\n    desc: the model\n    cmd: train --rounds ${train.rounds} > model.txt\n    deps: [data]\n"
        "    params: [seed, {other.yaml: [lr, depth]}]\n    outs: [model.txt]\n"
        "  data:\n    cmd: [mkdir -p data, echo 1 > data/a]\n    outs: [data]\n    always_changed: true\n");
  const Pipeline p = load_pipeline(d / "pipeline.yaml");
  const std::string text = dvc_yaml(p, d / "dvc.yaml");
  EXPECT_EQ(text.rfind("# Generated from pipeline.yaml", 0), 0u) << text;
  const YAML::Node doc = YAML::Load(text);
  ASSERT_TRUE(doc["stages"].IsMap());
  EXPECT_EQ(doc.size(), 1u);
  // Upstream first, as pipeline.lock lists them.
  EXPECT_EQ(doc["stages"].begin()->first.as<std::string>(), "data");
  const YAML::Node train = doc["stages"]["train"];
  EXPECT_EQ(train["cmd"].as<std::string>(), "train --rounds ${train.rounds} > model.txt");  // DVC resolves ${} itself
  EXPECT_EQ(train["desc"].as<std::string>(), "the model");
  EXPECT_FALSE(train["wdir"]);
  EXPECT_EQ(train["deps"][0].as<std::string>(), "data");
  ASSERT_EQ(train["params"].size(), 2u);
  EXPECT_EQ(train["params"][0].as<std::string>(), "seed");
  EXPECT_EQ(train["params"][1]["other.yaml"][1].as<std::string>(), "depth");
  EXPECT_EQ(train["outs"][0].as<std::string>(), "model.txt");
  const YAML::Node data = doc["stages"]["data"];
  EXPECT_EQ(data["cmd"].size(), 2u);
  EXPECT_TRUE(data["always_changed"].as<bool>());
  for (const auto& kv : train)
    EXPECT_TRUE(kv.first.as<std::string>() == "cmd" || kv.first.as<std::string>() == "desc" || kv.first.as<std::string>() == "deps" ||
                kv.first.as<std::string>() == "params" || kv.first.as<std::string>() == "outs")
        << kv.first.as<std::string>();
  // Written elsewhere, the stages run in the pipeline's folder.
  fs::create_directories(d / "sub");
  EXPECT_EQ(YAML::Load(dvc_yaml(p, d / "sub/dvc.yaml"))["stages"]["train"]["wdir"].as<std::string>(), "..");

  std::string out;
  ASSERT_EQ(hwtest::heartwave("repro --pipeline " + (d / "pipeline.yaml").string() + " --emit-dvc " + (d / "dvc.yaml").string(), out), 0)
      << out;
  EXPECT_EQ(read(d / "dvc.yaml"), text);
  EXPECT_FALSE(fs::exists(d / "pipeline.lock"));  // emitting runs nothing
}

TEST(PipelineDvc, RepositoryPipelineIsWellFormedAndItsDvcYamlCurrent) {
  const fs::path src = HEARTWAVE_SOURCE_DIR;
  const Pipeline p = load_pipeline(src / "pipeline.yaml");
  for (const char* name : {"check-data", "dataset-two-lead", "dataset-one-lead", "cv-default", "train-default", "evaluate-default",
                           "train-one-lead", "evaluate-one-lead", "train-window-only", "evaluate-window-only", "report"})
    EXPECT_NE(p.find(name), nullptr) << name;
  bool reads_mitdb = false;
  for (const auto& s : p.stages) {
    for (const auto& o : s.outs) EXPECT_EQ(o.rfind("out/", 0), 0u) << s.name << ": " << o << " is not under out/";
    for (const auto& dep : s.deps) reads_mitdb |= dep == "../shared/data/mitdb";
  }
  EXPECT_TRUE(reads_mitdb);
  // Every stage comes after those it depends on.
  std::vector<std::size_t> rank(p.stages.size());
  for (std::size_t k = 0; k < p.order.size(); ++k) rank[p.order[k]] = k;
  for (std::size_t i = 0; i < p.stages.size(); ++i)
    for (std::size_t u : p.upstream(i)) EXPECT_LT(rank[u], rank[i]) << p.stages[u].name << " before " << p.stages[i].name;
  EXPECT_EQ(p.stages[p.order.front()].name, "check-data");
  EXPECT_EQ(read(src / "dvc.yaml"), dvc_yaml(p, src / "dvc.yaml"))
      << "dvc.yaml is not current: run build/release/heartwave repro --emit-dvc dvc.yaml";
}

TEST(PipelineCommands, ReproAndStatusThroughTheBinary) {
  TempDir d;
  write(d / "params.yaml", "n: 2\n");
  write(d / "pipeline.yaml", "stages:\n  s:\n    cmd: seq ${n} > out.txt\n    outs: [out.txt]\n  fail:\n    cmd: exit 3\n");
  const std::string file = (d / "pipeline.yaml").string();
  std::string out;
  EXPECT_EQ(hwtest::heartwave("status --pipeline " + file, out), 0) << out;
  EXPECT_NE(out.find("Stage 's': stale\n    not in pipeline.lock"), std::string::npos) << out;
  EXPECT_NE(out.find("0 of 2 stages up to date"), std::string::npos) << out;
  EXPECT_EQ(hwtest::heartwave("repro s --dry-run --pipeline " + file, out), 0) << out;
  EXPECT_NE(out.find("Would run stage 's'"), std::string::npos) << out;
  EXPECT_EQ(out.find("'fail'"), std::string::npos) << out;  // not selected
  EXPECT_EQ(hwtest::heartwave("repro --pipeline " + file, out), 1) << out;
  EXPECT_NE(out.find("ERROR: failed to reproduce 'fail': command exited with status 3"), std::string::npos) << out;
  EXPECT_EQ(hwtest::heartwave("repro s --pipeline " + file, out), 0) << out;
  EXPECT_NE(out.find("Stage 's' didn't change, skipping"), std::string::npos) << out;
  EXPECT_NE(out.find("nothing to reproduce"), std::string::npos) << out;
  write(d / "params.yaml", "n: 3\n");
  EXPECT_EQ(hwtest::heartwave("status --json --pipeline " + file, out), 0) << out;
  const YAML::Node j = YAML::Load(out);  // JSON is YAML
  EXPECT_FALSE(j["up_to_date"].as<bool>());
  EXPECT_EQ(j["stages"][0]["name"].as<std::string>(), "s");
  EXPECT_EQ(j["stages"][0]["state"].as<std::string>(), "stale");
  bool param_seen = false;
  for (const auto& c : j["stages"][0]["changes"])
    if (c["kind"].as<std::string>() == "param") {
      param_seen = true;
      EXPECT_EQ(c["key"].as<std::string>(), "n");
      EXPECT_EQ(c["old"].as<std::string>(), "2");
      EXPECT_EQ(c["new"].as<std::string>(), "3");
    }
  EXPECT_TRUE(param_seen) << out;
  EXPECT_EQ(hwtest::heartwave("repro nope --pipeline " + file, out), 8) << out;
  EXPECT_NE(out.find("no stage named 'nope'"), std::string::npos) << out;
  write(d / "bad.yaml", "stages:\n  a:\n    cmd: x\n    outs: [o]\n  b:\n    cmd: y\n    outs: [o]\n");
  EXPECT_EQ(hwtest::heartwave("status --pipeline " + (d / "bad.yaml").string(), out), 8) << out;
  EXPECT_NE(out.find("stages 'a' and 'b' both write 'o'"), std::string::npos) << out;
}
