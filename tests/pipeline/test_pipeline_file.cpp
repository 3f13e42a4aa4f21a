// pipeline.yaml: fields, ${key} templates, the stages' order and the errors
// that name what is wrong (cycles, overlapping outputs, bad fields).
#include <gtest/gtest.h>

#include <algorithm>

#include "heartwave/core/error.hpp"
#include "pipeline_test_util.hpp"

using namespace heartwave;
using namespace heartwave::pipeline;
using hwtest::TempDir;
using hwtest::write;

namespace {

std::vector<std::string> names(const Pipeline& p, const std::vector<std::size_t>& idx) {
  std::vector<std::string> out;
  for (std::size_t i : idx) out.push_back(p.stages[i].name);
  return out;
}

// The message of the error `load_pipeline` throws for this pipeline.yaml.
template <class E>
std::string load_error(const std::string& yaml, const std::string& params = "") {
  TempDir d;
  write(d / "pipeline.yaml", yaml);
  if (!params.empty()) write(d / "params.yaml", params);
  try {
    load_pipeline(d / "pipeline.yaml");
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << yaml;
  return "";
}

}  // namespace

TEST(PipelineFile, OrdersStagesUpstreamFirst) {
  TempDir d;
  write(d / "pipeline.yaml",
        "stages:\n"
        "  report:\n    cmd: cat model.txt > report.txt\n    deps: [model.txt]\n    outs: [report.txt]\n"
        "  prepare:\n    cmd: echo x > data/a.csv\n    deps: [raw.txt]\n    outs: [data]\n"
        "  train:\n    cmd: cat data/a.csv > model.txt\n    deps: [data/a.csv, ./train.sh]\n    outs: [model.txt]\n"
        "  lint:\n    cmd: 'true'\n");
  const Pipeline p = load_pipeline(d / "pipeline.yaml");
  ASSERT_EQ(p.stages.size(), 4u);
  EXPECT_EQ(p.stages[0].name, "report");  // file order kept
  EXPECT_EQ(p.stages[2].deps[1], "train.sh");  // normalised
  EXPECT_EQ(names(p, p.order), (std::vector<std::string>{"prepare", "train", "report", "lint"}));
  // A dependency inside an output folder (data/a.csv in data) is an edge.
  EXPECT_EQ(names(p, p.upstream(2)), std::vector<std::string>{"prepare"});
  EXPECT_EQ(names(p, stages_for(p, {"train"})), (std::vector<std::string>{"prepare", "train"}));
  EXPECT_EQ(names(p, stages_for(p, {"lint"})), std::vector<std::string>{"lint"});
  EXPECT_EQ(p.root, std::filesystem::absolute(d.path).lexically_normal());
  try {
    stages_for(p, {"deploy"});
    FAIL() << "unknown stage accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("no stage named 'deploy'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("prepare, train"), std::string::npos) << e.what();
  }
}

TEST(PipelineFile, CycleIsAnErrorNamingItsStages) {
  const std::string msg = load_error<InvalidArgument>(
      "stages:\n"
      "  a:\n    cmd: cp c.txt a.txt\n    deps: [c.txt]\n    outs: [a.txt]\n"
      "  b:\n    cmd: cp a.txt b.txt\n    deps: [a.txt]\n    outs: [b.txt]\n"
      "  c:\n    cmd: cp b.txt c.txt\n    deps: [b.txt]\n    outs: [c.txt]\n");
  EXPECT_NE(msg.find("cycle"), std::string::npos) << msg;
  EXPECT_NE(msg.find("a -> b -> c -> a"), std::string::npos) << msg;
}

TEST(PipelineFile, OverlappingOutputsAreErrorsNamingBothStages) {
  std::string msg = load_error<InvalidArgument>(
      "stages:\n  one:\n    cmd: echo 1 > x\n    outs: [x]\n  two:\n    cmd: echo 2 > x\n    outs: [./x]\n");
  EXPECT_NE(msg.find("stages 'one' and 'two' both write 'x'"), std::string::npos) << msg;
  msg = load_error<InvalidArgument>(
      "stages:\n  one:\n    cmd: mkdir -p d\n    outs: [d]\n  two:\n    cmd: echo 2 > d/y\n    outs: [d/y]\n");
  EXPECT_NE(msg.find("'one' and 'two'"), std::string::npos) << msg;
  msg = load_error<InvalidArgument>("stages:\n  one:\n    cmd: cat x > x\n    deps: [x]\n    outs: [x]\n");
  EXPECT_NE(msg.find("stage 'one'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("its own output"), std::string::npos) << msg;
}

TEST(PipelineFile, OutputsMustStayInsideThePipelineFolder) {
  for (const char* out : {"../x", "/tmp/x", ".", ".heartwave/cache", "pipeline.lock", "params.yaml", "pipeline.yaml"}) {
    const std::string msg = load_error<InvalidArgument>(std::string("stages:\n  s:\n    cmd: 'true'\n    outs: ['") + out + "']\n");
    EXPECT_NE(msg.find("stage 's'"), std::string::npos) << out << ": " << msg;
  }
}

TEST(PipelineFile, BadFieldsNameFileLineAndStage) {
  std::string msg = load_error<ParseError>("stages:\n  s:\n    cmd: 'true'\n    wdir: sub\n");
  EXPECT_NE(msg.find("pipeline.yaml:4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown field 'wdir'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("stage 's'"), std::string::npos) << msg;
  msg = load_error<ParseError>("stages:\n  s:\n    deps: [a]\n");
  EXPECT_NE(msg.find("has no cmd"), std::string::npos) << msg;
  msg = load_error<ParseError>("stages:\n  s:\n    cmd: 'true'\n    deps: {a: 1}\n");
  EXPECT_NE(msg.find("must be a list"), std::string::npos) << msg;
  msg = load_error<ParseError>("stages:\n  s: [\n");  // malformed YAML
  EXPECT_NE(msg.find("pipeline.yaml:"), std::string::npos) << msg;
  msg = load_error<ParseError>("vars: [a]\nstages:\n  s:\n    cmd: 'true'\n");
  EXPECT_NE(msg.find("unsupported top-level key 'vars'"), std::string::npos) << msg;
  msg = load_error<ParseError>("stages:\n  's@1':\n    cmd: 'true'\n");
  EXPECT_NE(msg.find("a stage name holds only"), std::string::npos) << msg;
  msg = load_error<ParseError>("stages:\n  s:\n    cmd: 'true'\n    outs:\n      - model.pkl:\n          cache: false\n");
  EXPECT_NE(msg.find("only plain paths"), std::string::npos) << msg;
}

TEST(PipelineFile, TemplatesTakeParamsValuesAndTrackThem) {
  TempDir d;
  write(d / "params.yaml", "train:\n  rounds: 51\n  name: default\n  grid: [1, 2]\nseed: 7\n");
  write(d / "other.yaml", "lr: 0.1\n");
  write(d / "pipeline.yaml",
        "stages:\n  train:\n"
        "    cmd: train --rounds ${train.rounds} --seed ${ seed } --out out/${train.name}.hwm --literal \\${HOME}\n"
        "    deps:\n      - cfg/${train.name}.json\n"
        "    params: [seed, {other.yaml: [lr]}]\n"
        "    outs:\n      - out/${train.name}.hwm\n");
  const Pipeline p = load_pipeline(d / "pipeline.yaml");
  const Stage& s = p.stages[0];
  EXPECT_EQ(s.cmd[0], "train --rounds 51 --seed 7 --out out/default.hwm --literal ${HOME}");
  EXPECT_EQ(s.cmd_template[0], "train --rounds ${train.rounds} --seed ${ seed } --out out/${train.name}.hwm --literal \\${HOME}");
  EXPECT_EQ(s.deps, std::vector<std::string>{"cfg/default.json"});
  EXPECT_EQ(s.outs, std::vector<std::string>{"out/default.hwm"});
  // Declared first, then those the templates use (each once).
  ASSERT_EQ(s.params.size(), 4u);
  EXPECT_EQ(s.params[0], (ParamRef{"params.yaml", "seed"}));
  EXPECT_EQ(s.params[1], (ParamRef{"other.yaml", "lr"}));
  EXPECT_EQ(s.params[2], (ParamRef{"params.yaml", "train.rounds"}));
  EXPECT_EQ(s.params[3], (ParamRef{"params.yaml", "train.name"}));
  EXPECT_EQ(s.declared_params.size(), 2u);

  Params params(p.root);
  EXPECT_EQ(params.value({"params.yaml", "train.grid"}, "t"), "[1, 2]");
  EXPECT_EQ(params.value({"params.yaml", "train"}, "t"), "{rounds: 51, name: default, grid: [1, 2]}");
  std::string v;
  EXPECT_FALSE(params.find({"params.yaml", "train.depth"}, v));
  EXPECT_FALSE(params.find({"params.yaml", "seed.x"}, v));
  EXPECT_THROW(params.value({"params.yaml", "train.depth"}, "t"), ParseError);
  EXPECT_THROW(params.find({"missing.yaml", "a"}, v), IoError);
}

TEST(PipelineFile, TemplateErrorsNameTheKey) {
  std::string msg = load_error<ParseError>("stages:\n  s:\n    cmd: echo ${train}\n", "train:\n  rounds: 3\n");
  EXPECT_NE(msg.find("'train' is not a single value"), std::string::npos) << msg;
  msg = load_error<ParseError>("stages:\n  s:\n    cmd: echo ${train.depth}\n", "train:\n  rounds: 3\n");
  EXPECT_NE(msg.find("no parameter 'train.depth'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("stage 's'"), std::string::npos) << msg;
  msg = load_error<ParseError>("stages:\n  s:\n    cmd: echo ${train.rounds\n", "train:\n  rounds: 3\n");
  EXPECT_NE(msg.find("without a closing"), std::string::npos) << msg;
  msg = load_error<IoError>("stages:\n  s:\n    cmd: echo ${a}\n");  // no params.yaml
  EXPECT_NE(msg.find("params.yaml"), std::string::npos) << msg;
}
