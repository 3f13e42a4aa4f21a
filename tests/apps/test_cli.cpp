// Runs the real heartwave binary and checks exit codes and output.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <utility>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/dsp/resample.hpp"
#include "heartwave/data/split.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "run_cli.hpp"
#include "support.hpp"

namespace {

using Result = heartwave::test::CliResult;
Result run(const std::string& args, const std::string& env = "") { return heartwave::test::run_cli(args, env); }

}  // namespace

TEST(Cli, BareCommandPrintsUsage) {
  const auto r = run("");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("data"), std::string::npos);
  EXPECT_NE(r.out.find("record"), std::string::npos);
  // The version and the commit the program was built from.
  const std::string v = run("--version").out;
  EXPECT_EQ(v.rfind("heartwave 0.1.0 (commit ", 0), 0u) << v;
  EXPECT_EQ(v.find("unknown"), std::string::npos) << v;
}

// docs/cli.md is the program's own help text: regenerate it with
// `build/release/heartwave help --markdown > docs/cli.md` when an option changes.
TEST(Cli, TheCommandReferenceIsCurrent) {
  const auto r = run("help --markdown", "env -u HEARTWAVE_DATA -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("## `heartwave cv`"), std::string::npos);
  EXPECT_NE(r.out.find("--search"), std::string::npos);
  std::ifstream f(std::string(HEARTWAVE_SOURCE_DIR) + "/docs/cli.md");
  const std::string doc((std::istreambuf_iterator<char>(f)), {});
  EXPECT_TRUE(doc == r.out) << "docs/cli.md is not current: run build/release/heartwave help --markdown > docs/cli.md";
}

// The program does not link LibTorch (only the module of the LibTorch
// families does, loaded when one is created), so inference never loads it.
TEST(Cli, TheProgramDoesNotLinkLibTorch) {
  const std::string cmd = std::string("ldd ") + HEARTWAVE_BINARY + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  ASSERT_EQ(pclose(p), 0) << out;
  EXPECT_NE(out.find("libxgboost"), std::string::npos) << out;  // ldd did list the libraries
  EXPECT_EQ(out.find("libtorch"), std::string::npos) << out;
  EXPECT_EQ(out.find("libc10"), std::string::npos) << out;
}

TEST(Cli, RecordInfo) {
  const auto dir = heartwave::test::mitdb_dir();
  const auto r = run("record info 100 --data-dir " + dir.string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("360 Hz, 650000 samples"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MLII"), std::string::npos);
  EXPECT_NE(r.out.find("annotations 2274 in 100.atr, 2273 beats"), std::string::npos) << r.out;
  const auto j = run("record info 208 --json --data-dir " + dir.string());
  ASSERT_EQ(j.status, 0);
  EXPECT_NE(j.out.find("\"F\": 373"), std::string::npos) << j.out;
}

TEST(Cli, ErrorsMapToExitCodesAndNameTheFile) {
  heartwave::test::TempDir tmp;
  auto r = run("record info " + (tmp / "nothere").string());
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.out.find("nothere.hea"), std::string::npos) << r.out;
  {
    FILE* f = std::fopen((tmp / "bad.hea").c_str(), "w");
    std::fputs("bad 1 abc\n", f);
    std::fclose(f);
  }
  r = run("record info " + (tmp / "bad").string());
  EXPECT_EQ(r.status, 4);
  EXPECT_NE(r.out.find("bad.hea:1"), std::string::npos) << r.out;
  r = run("data build --protocol bogus --out x");
  EXPECT_NE(r.status, 0);
  r = run("data build --protocol seed");  // --out missing
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("--out"), std::string::npos);
  r = run("record info x.csv");  // CSV without --fs
  EXPECT_EQ(r.status, 8);
  // The second lead's morphology without the second lead: refused before any folder is made.
  r = run("data build --protocol inter-patient --second-lead-morphology --out " + (tmp / "l2m").string());
  EXPECT_EQ(r.status, 8);
  EXPECT_NE(r.out.find("--second-lead-morphology needs --second-lead"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(tmp / "l2m"));
  // An output folder that cannot be made is the first error, before any work.
  r = run("cv --model xgb-feat --data " + (tmp / "nodata").string() + " --out " + (tmp / "bad.hea/cv").string());
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.out.find("bad.hea/cv: cannot create the output folder"), std::string::npos) << r.out;
  r = run("data build --protocol seed --out " + (tmp / "bad.hea").string());
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.out.find("bad.hea: cannot create the output folder"), std::string::npos) << r.out;
}

TEST(Cli, CsvRecordInfo) {
  heartwave::test::TempDir tmp;
  FILE* f = std::fopen((tmp / "e.csv").c_str(), "w");
  std::fputs("time,MLII,V1\n0,0.1,0.2\n1,0.3,0.4\n", f);
  std::fclose(f);
  const auto r = run("record info " + (tmp / "e.csv").string() + " --fs 250");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("250 Hz, 2 samples"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("V1"), std::string::npos);
}

TEST(Cli, DataBuildSubset) {
  heartwave::test::TempDir tmp;
  const auto r = run("data build --protocol seed --records 100,208 --smote-target 400 --data-dir " +
                     heartwave::test::mitdb_dir().string() + " --out " + (tmp / "ds").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("train+smote"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(tmp / "ds/manifest.json"));
}

// --features lists the feature groups; the old flags are aliases giving the
// same dataset, and the two together are refused.
TEST(Cli, DataBuildFeatureGroups) {
  heartwave::test::TempDir tmp;
  const std::string common = "data build --protocol inter-patient --records 100,101,103,105,106,108,109,111,112,113,114,115 "
                             "--no-smote --data-dir " + heartwave::test::mitdb_dir().string();
  auto r = run(common + " --features rr,morph,template,l2_template,relative --out " + (tmp / "a").string());
  ASSERT_EQ(r.status, 0) << r.out;
  r = run(common + " --second-lead --relative-morphology --out " + (tmp / "b").string());
  ASSERT_EQ(r.status, 0) << r.out;
  const auto manifest = [&](const char* d) {
    std::ifstream f(tmp / d / "manifest.json");
    return nlohmann::json::parse(f);
  };
  const auto a = manifest("a"), b = manifest("b");
  EXPECT_EQ(a["preprocessing"], b["preprocessing"]);
  EXPECT_EQ(a["schema"], b["schema"]);
  EXPECT_EQ(a["files"], b["files"]);  // the same rows, byte for byte
  EXPECT_TRUE(a["preprocessing"]["second_lead"].get<bool>());
  EXPECT_TRUE(a["preprocessing"]["relative_morphology"].get<bool>());
  r = run(common + " --features rr,morph,template --second-lead --out " + (tmp / "c").string());
  EXPECT_NE(r.status, 0) << r.out;
  r = run(common + " --features rr,morph,template,l2_relative --out " + (tmp / "d").string());
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("'l2_relative' needs 'l2_template'"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(tmp / "d"));  // refused before any folder is made
}

TEST(Cli, TrainEvaluatePredict) {
  heartwave::test::TempDir tmp;
  const std::string ds = (tmp / "ds").string();
  auto r = run("data build --protocol seed --records 100,208 --smote-target 300 --data-dir " +
               heartwave::test::mitdb_dir().string() + " --out " + ds);
  ASSERT_EQ(r.status, 0) << r.out;
  {
    FILE* f = std::fopen((tmp / "p.json").c_str(), "w");
    std::fputs("{\"num_round\": 8, \"f1_every\": 4}", f);
    std::fclose(f);
  }
  // An --out that cannot be written fails before training, naming the path
  // (here a file stands where the folder should be)...
  r = run("train --model xgb-feat --data " + ds + " --out " + (tmp / "p.json/m.hwm").string() + " --params " + (tmp / "p.json").string());
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("p.json: cannot create the output folder"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("best iteration"), std::string::npos) << r.out;
  r = run("tune --model xgb-feat --data " + ds + " --trials 3 --out " + (tmp / "p.json/t.json").string());
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_EQ(r.out.find("trial"), std::string::npos) << r.out;
  // ...and missing folders are created.
  const std::string model = (tmp / "models/sub/m.hwm").string();
  r = run("train --model xgb-feat --data " + ds + " --out " + model + " --params " + (tmp / "p.json").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("best iteration"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(model + ".log.json"));
  r = run("evaluate --model " + model + " --data " + ds + " --out " + (tmp / "ev").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("accuracy"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(tmp / "ev/metrics.json"));
  std::ifstream html(tmp / "ev/report.html");
  const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("Training curves"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);  // self-contained, no scripts
  // --store records the figures in the model; evaluating again reproduces them.
  r = run("evaluate --store --model " + model + " --data " + ds + " --out " + (tmp / "ev").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("stored these metrics in"), std::string::npos) << r.out;
  // Without --model the default model is used: $HEARTWAVE_MODEL here.
  r = run("evaluate --data " + ds + " --out " + (tmp / "ev3").string(), "HEARTWAVE_MODEL=" + model);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("reproduces the figures stored in the model"), std::string::npos) << r.out;
  {
    std::ifstream mj(tmp / "ev3/metrics.json");
    const std::string text((std::istreambuf_iterator<char>(mj)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"stored_metrics_reproduced\": true"), std::string::npos);
  }
  r = run("predict --model " + model + " --data " + ds + " --out -");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.rfind("record,r_sample,label,predicted,p_N,p_S,p_V,p_F,p_Q\n", 0), 0u) << r.out.substr(0, 200);
  // Raw input: a WFDB record at its annotations, and a CSV of beats.
  const std::string rec = (heartwave::test::mitdb_dir() / "100").string();
  r = run("predict --model " + model + " --record " + rec + " --out " + (tmp / "pred/rec.csv").string());
  ASSERT_EQ(r.status, 0) << r.out;
  // 2273 beats, less the first and the last whose windows run off the record.
  EXPECT_NE(r.out.find("2271 beats classified"), std::string::npos) << r.out;
  {
    std::ifstream in(tmp / "pred/rec.csv");
    std::string header, first;
    std::getline(in, header);
    std::getline(in, first);
    EXPECT_EQ(first.rfind("100,370,N,", 0), 0u) << first;  // record 100's second beat (the first is too close to the start)
    std::ofstream beats(tmp / "beats.csv");
    beats << "r_sample";
    for (int k = 0; k < 187; ++k) beats << ",s" << k;
    beats << "\n";
    for (int b = 0; b < 3; ++b) {
      beats << 1000 + 300 * b;
      for (int k = 0; k < 187; ++k) beats << "," << 0.1 * std::sin(0.1 * k);
      beats << "\n";
    }
  }
  r = run("predict --model " + model + " --beats " + (tmp / "beats.csv").string() + " --out -");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out;
  EXPECT_NE(r.out.find("\nbeats,1300,,"), std::string::npos) << r.out;
  r = run("predict --model " + model + " --record " + rec + " --data " + ds + " --out -");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("exactly one of --data, --record and --beats"), std::string::npos) << r.out;
  // A corrupt model file: clear error and exit status 5 (checksum).
  {
    FILE* f = std::fopen(model.c_str(), "r+b");
    std::fseek(f, 200, SEEK_SET);
    std::fputc('#', f);
    std::fclose(f);
  }
  r = run("evaluate --model " + model + " --data " + ds + " --out " + (tmp / "ev2").string());
  EXPECT_EQ(r.status, 5) << r.out;
  EXPECT_NE(r.out.find("checksum mismatch"), std::string::npos) << r.out;
}

TEST(Cli, CrossValidationInsideDs1) {
  heartwave::test::TempDir tmp;
  const std::string ds = (tmp / "ds").string();
  auto r = run("data build --protocol inter-patient --records 101,118,208,209,100 --folds 3 --smote-target 200 --data-dir " +
               heartwave::test::mitdb_dir().string() + " --out " + ds);
  ASSERT_EQ(r.status, 0) << r.out;
  std::filesystem::remove_all(tmp / "ds/test");  // DS2 is never needed
  {
    std::ofstream f(tmp / "p.json");
    f << "{\"num_round\": 6, \"f1_every\": 0}";
  }
  r = run("cv --model xgb-feat --data " + ds + " --params " + (tmp / "p.json").string() + " --out " + (tmp / "cv").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("3-fold record-grouped cross-validation inside DS1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("95% CI Se"), std::string::npos) << r.out;
  std::ifstream mj(tmp / "cv/metrics.json");
  const auto m = nlohmann::json::parse(mj);
  EXPECT_EQ(m["split"], "cv-ds1");
  EXPECT_EQ(m["cross_validation"]["folds"], 3);
  EXPECT_EQ(m["cross_validation"]["params"]["num_round"], 6);
  // One prediction line per real DS1 beat (4 records), none for SMOTE rows.
  std::ifstream csv(tmp / "cv/predictions.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "record,r_sample,label,predicted,p_N,p_S,p_V,p_F,p_Q");
  std::size_t lines = 0;
  std::set<std::string> records;
  while (std::getline(csv, line)) {
    ++lines;
    records.insert(line.substr(0, line.find(',')));
  }
  EXPECT_EQ(lines, m["n"].get<std::size_t>());
  EXPECT_EQ(records, (std::set<std::string>{"101", "118", "208", "209"}));
  EXPECT_TRUE(std::filesystem::exists(tmp / "cv/report.html"));
  EXPECT_EQ(m["cross_validation"]["best_iteration"].size(), 3u);
  EXPECT_TRUE(m["cross_validation"].contains("median_best_iteration"));
  // Class weights chosen on the out-of-fold probabilities, for train --decision.
  EXPECT_NE(r.out.find("wrote decision.json"), std::string::npos) << r.out;
  std::ifstream dj(tmp / "cv/decision.json");
  const auto decision = nlohmann::json::parse(dj);
  ASSERT_EQ(decision["class_weights"].size(), 5u);
  for (const auto& w : decision["class_weights"]) EXPECT_GT(w.get<double>(), 0.0);
  EXPECT_GE(decision["macro_f1_weighted"].get<double>(), decision["macro_f1_argmax"].get<double>());
  EXPECT_EQ(decision["fold_weights"].size(), 3u);
  EXPECT_EQ(decision["dataset_manifest_sha256"], m["dataset_manifest_sha256"]);

  // cv with `flag`: its output and metrics.json.
  const auto cv_with = [&](const std::string& flag, const std::string& dir) {
    const auto res = run("cv " + flag + " --model xgb-feat --data " + ds + " --params " + (tmp / "p.json").string() +
                         " --out " + (tmp / dir).string());
    EXPECT_EQ(res.status, 0) << res.out;
    std::ifstream f(tmp / dir / "metrics.json");
    return std::make_pair(res.out, nlohmann::json::parse(f));
  };
  // Without early stopping every fold runs the configured rounds.
  // (--exclude-af: no AF in these records, so the same rows; the flag is recorded.)
  const auto [fixed_out, fixed] = cv_with("--no-early-stopping --exclude-af", "cv-fixed");
  EXPECT_NE(fixed_out.find("no early stopping"), std::string::npos) << fixed_out;
  EXPECT_NE(fixed_out.find("AF/flutter beats left out of fitting"), std::string::npos) << fixed_out;
  EXPECT_EQ(fixed["cross_validation"]["exclude_af"], true);
  EXPECT_EQ(fixed["cross_validation"]["best_iteration"], nlohmann::json({6, 6, 6}));
  EXPECT_FALSE(fixed["cross_validation"].contains("median_best_iteration"));
  // One fold per DS1 record.
  const auto [loro_out, loro] = cv_with("--leave-one-record-out --argmax", "cv-loro");
  EXPECT_NE(loro_out.find("leave-one-record-out cross-validation inside DS1 (4 records)"), std::string::npos) << loro_out;
  EXPECT_EQ(loro["cross_validation"]["folds"], 4);
  EXPECT_EQ(loro["n"], m["n"]);
  std::ifstream odj(tmp / "cv-loro/decision.json");
  const auto loro_decision = nlohmann::json::parse(odj);
  EXPECT_EQ(loro_decision["fold_weights"].size(), 4u);
  // --argmax: class weights of 1; the rhythm step is still chosen, nested by record.
  EXPECT_EQ(loro_decision["class_weights"], nlohmann::json({1.0, 1.0, 1.0, 1.0, 1.0}));
  EXPECT_EQ(loro_decision["class_weights_fitted"], false);
  EXPECT_EQ(loro_decision["rhythm_step"]["fold_gates"].size(), 4u);
  EXPECT_TRUE(loro_decision["rhythm_step"]["enabled"].is_boolean());
  EXPECT_GE(loro_decision["rhythm_step"]["macro_f1_gated"].get<double>(), loro_decision["rhythm_step"]["macro_f1_before"].get<double>());
  EXPECT_TRUE(loro_decision["rhythm_step"]["premature"].is_number());
  EXPECT_NE(loro_out.find("rhythm step ("), std::string::npos) << loro_out;
  // --class-weights: fixed decision weights kept as given (an operating
  // point), the rhythm step chosen on the decisions they make.
  {
    const auto [w_out, w_metrics] = cv_with("--leave-one-record-out --class-weights 1,3,1,1,1", "cv-w");
    std::ifstream f(tmp / "cv-w/decision.json");
    const auto d = nlohmann::json::parse(f);
    EXPECT_EQ(d["class_weights"], nlohmann::json({1.0, 3.0, 1.0, 1.0, 1.0}));
    EXPECT_EQ(d["class_weights_fitted"], false);
    EXPECT_NE(w_out.find("class weights (S, V, F) 3, 1, 1"), std::string::npos) << w_out;
    EXPECT_EQ(w_metrics["f1_macro"], loro["f1_macro"]);  // metrics.json is the argmax, as before
    r = run("cv --leave-one-record-out --class-weights 1,-3,1,1,1 --model xgb-feat --data " + ds + " --out " + (tmp / "cv-bad").string());
    EXPECT_EQ(r.status, 8) << r.out;
    EXPECT_NE(r.out.find("weight 2 (S) must be finite and positive"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(tmp / "cv-bad"));  // refused before any work
    // cv --from: the same decision chosen again on the earlier run's exact
    // out-of-fold probabilities, without training: the same files.
    const auto read = [&](const std::filesystem::path& f) {
      std::ifstream in(f, std::ios::binary);
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
    r = run("cv --from " + (tmp / "cv-loro").string() + " --class-weights 1,3,1,1,1 --data " + ds + " --out " + (tmp / "cv-wf").string());
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("(decided again from"), std::string::npos) << r.out;
    EXPECT_EQ(read(tmp / "cv-wf/decided.csv"), read(tmp / "cv-w/decided.csv"));
    EXPECT_EQ(read(tmp / "cv-wf/predictions.csv"), read(tmp / "cv-w/predictions.csv"));
    EXPECT_EQ(read(tmp / "cv-wf/proba.npy"), read(tmp / "cv-w/proba.npy"));
    std::ifstream g(tmp / "cv-wf/decision.json");
    auto again = nlohmann::json::parse(g);
    auto first = d;
    for (auto* x : {&again, &first}) x->erase("chosen_by");  // names the run it came from
    EXPECT_EQ(again, first);
    // Decision flags with --from: `gate_of` decides again with FLAGS and
    // returns decision.json's rhythm_gate (null on failure); `refused`
    // checks that FLAGS are refused, naming OPTION, before any work.
    const auto gate_of = [&](const std::string& flags, const std::string& name) {
      const auto res = run("cv --from " + (tmp / "cv-loro").string() + " " + flags + " --data " + ds + " --out " + (tmp / name).string());
      EXPECT_EQ(res.status, 0) << flags << res.out;
      if (res.status != 0) return nlohmann::json();
      std::ifstream f(tmp / name / "decision.json");
      return nlohmann::json::parse(f)["rhythm_step"];
    };
    const auto refused = [&](const std::string& flags, const std::string& option, int status = -1) {
      const auto res = run("cv --from " + (tmp / "cv-loro").string() + " " + flags + " --data " + ds + " --out " + (tmp / "cv-x").string());
      EXPECT_NE(res.status, 0) << flags << res.out;
      if (status >= 0) {
        EXPECT_EQ(res.status, status) << flags << res.out;
      }
      EXPECT_NE(res.out.find(option), std::string::npos) << flags << res.out;
      EXPECT_FALSE(std::filesystem::exists(tmp / "cv-x")) << flags;
    };
    // --adapt-passes: kept in decision.json and in every fold's gate; out of range refused.
    {
      const auto p3 = gate_of("--argmax --adapt-passes 3", "cv-p3");
      EXPECT_EQ(p3["adapt_passes"], 3);
      for (const auto& fg : p3["fold_gates"]) EXPECT_EQ(fg["adapt_passes"], 3);
    }
    EXPECT_EQ(loro_decision["rhythm_step"]["adapt_passes"], 1);
    refused("--adapt-passes 0", "--adapt-passes");
    // --step-choice: recorded in decision.json ("best" by default); the
    // smoothed point's figure is its own pooled one, never above the best
    // point's; a bad name, or together with --rhythm-step, refused.
    EXPECT_EQ(loro_decision["rhythm_step"]["step_choice"], "best");
    {
      const auto sm = gate_of("--argmax --step-choice smoothed", "cv-sm");
      EXPECT_EQ(sm["step_choice"], "smoothed");
      EXPECT_LE(sm["macro_f1_gated"].get<double>(), loro_decision["rhythm_step"]["macro_f1_gated"].get<double>() + 1e-12);
      EXPECT_EQ(sm["fold_gates"].size(), 4u);
    }
    refused("--step-choice peak", "--step-choice");
    refused("--step-choice smoothed --rhythm-step " + (tmp / "cv-loro/decision.json").string(), "--step-choice");
    // --step-criterion sveb_se --step-floor P (the choice itself is tested
    // in RhythmStep.SvebSensitivityCriterionUnderAFloor): recorded in
    // decision.json; a floor without the criterion, out of range, or an
    // unknown criterion refused before any work.
    {
      const auto se = gate_of("--argmax --step-criterion sveb_se --step-floor 0.3", "cv-se");
      EXPECT_EQ(se["step_criterion"], "sveb_se");
      EXPECT_EQ(se["step_sveb_ppv_floor"], 0.3);
      EXPECT_EQ(loro_decision["rhythm_step"]["step_criterion"], "macro_f1");
    }
    for (const char* bad : {"--step-floor 0.6", "--step-criterion sveb_se --step-floor 1.5", "--step-criterion accuracy"}) refused(bad, "--step-");
    // --gate-intervals n_only: kept in every gate tried (decision.json and
    // each fold's); the default is not_v; an unknown value refused.
    EXPECT_EQ(loro_decision["rhythm_step"]["gate_intervals"], "not_v");
    {
      const auto gi = gate_of("--argmax --gate-intervals n_only", "cv-gi");
      EXPECT_EQ(gi["gate_intervals"], "n_only");
      for (const auto& fg : gi["fold_gates"]) EXPECT_EQ(fg["gate_intervals"], "n_only");
    }
    refused("--gate-intervals all", "--gate-intervals");
    // --gate-window H: every gate tried looks H beats either side; out of range refused.
    EXPECT_EQ(loro_decision["rhythm_step"]["half_window"], 16);
    {
      const auto gw = gate_of("--argmax --gate-window 40", "cv-gw");
      EXPECT_EQ(gw["half_window"], 40);
      for (const auto& fg : gw["fold_gates"]) EXPECT_EQ(fg["half_window"], 40);
    }
    refused("--gate-window 0", "--gate-window");
    // --gate-p-measure coherence: kept in every gate tried; the chosen
    // gate's agreement with the annotated rhythm reported; tpl_corr_p by
    // default; an unknown measure, or with --rhythm-step, refused.
    EXPECT_EQ(loro_decision["rhythm_step"]["p_measure"], "tpl_corr_p");
    {
      const auto pc = gate_of("--argmax --gate-p-measure coherence", "cv-pc");
      EXPECT_EQ(pc["p_measure"], "coherence");
      for (const auto& fg : pc["fold_gates"]) EXPECT_EQ(fg["p_measure"], "coherence");
      const auto& ag = pc["af_agreement"];
      EXPECT_EQ(ag["af_beats"], 0);  // these four records hold no AF
      EXPECT_EQ(ag["af_beats_gated"], 0);
      EXPECT_GT(ag["other_beats"].get<int>(), 4000);  // every real DS1 beat
      EXPECT_LE(ag["other_beats_gated"].get<int>(), ag["other_beats"].get<int>());
    }
    refused("--gate-p-measure median", "--gate-p-measure");
    // --gate-fit rhythm: the gate's thresholds fitted to the annotated rhythm,
    // recorded with their balanced accuracy (these records hold no AF: the
    // pair that gates the fewest beats, so at most half); refused with the
    // smoothed choice, an unknown value, or --rhythm-step.
    EXPECT_EQ(loro_decision["rhythm_step"]["gate_fit"], "macro_f1");
    {
      const auto gf = gate_of("--argmax --gate-fit rhythm", "cv-gf");
      EXPECT_EQ(gf["gate_fit"], "rhythm");
      EXPECT_GT(gf["af_balanced_accuracy"].get<double>(), 0.0);
      EXPECT_LE(gf["af_balanced_accuracy"].get<double>(), 0.5);
    }
    refused("--gate-fit rhythm --step-choice smoothed", "--gate-fit rhythm", 8);
    refused("--gate-fit af", "--gate-fit");
    refused("--gate-fit rhythm --rhythm-step " + (tmp / "cv-loro/decision.json").string(), "--gate-fit");
    refused("--gate-p-measure coherence --rhythm-step " + (tmp / "cv-loro/decision.json").string(), "--gate-p-measure");
    refused("--gate-window 40 --rhythm-step " + (tmp / "cv-loro/decision.json").string(), "--gate-window");
    refused("--step-floor 0.6 --step-criterion macro_f1", "--step-floor is the SVEB +P floor", 8);
    r = run("cv --from " + (tmp / "cv-loro").string() + " --step-choice peak --data " + ds + " --out " + (tmp / "cv-x").string());
    EXPECT_NE(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("--step-choice"), std::string::npos) << r.out;
    r = run("cv --from " + (tmp / "cv-loro").string() + " --step-choice smoothed --rhythm-step " + (tmp / "cv-loro/decision.json").string() +
            " --data " + ds + " --out " + (tmp / "cv-x").string());
    EXPECT_NE(r.status, 0) << r.out;
    EXPECT_FALSE(std::filesystem::exists(tmp / "cv-x"));
    // --search FILE: the search's keys from a file, the same as giving them as options.
    {
      const std::string from = "cv --from " + (tmp / "cv-loro").string() + " --argmax --data " + ds + " --out ";
      const std::string file = std::string(HEARTWAVE_SOURCE_DIR) + "/configs/search/af-rhythm-fit.json";
      r = run(from + (tmp / "cv-sf").string() + " --search " + file);
      ASSERT_EQ(r.status, 0) << r.out;
      r = run(from + (tmp / "cv-so").string() + " --gate-window 32 --gate-p-measure coherence --gate-fit rhythm");
      ASSERT_EQ(r.status, 0) << r.out;
      std::ifstream fa(tmp / "cv-sf/decided.csv"), fb(tmp / "cv-so/decided.csv");
      const std::string da((std::istreambuf_iterator<char>(fa)), {}), db((std::istreambuf_iterator<char>(fb)), {});
      EXPECT_FALSE(da.empty());
      EXPECT_EQ(da, db);
      std::ifstream df(tmp / "cv-sf/decision.json");
      const auto d = nlohmann::json::parse(df);
      EXPECT_EQ(d["rhythm_step"]["search"]["gate_window"], 32);
      EXPECT_EQ(d["rhythm_step"]["half_window"], 32);
      // An option given with the file overrides its key; a bad file is refused naming the key.
      r = run(from + (tmp / "cv-sx").string() + " --search " + file + " --gate-window 20");
      ASSERT_EQ(r.status, 0) << r.out;
      std::ifstream dx(tmp / "cv-sx/decision.json");
      EXPECT_EQ(nlohmann::json::parse(dx)["rhythm_step"]["half_window"], 20);
      {
        FILE* f = std::fopen((tmp / "bad-search.json").c_str(), "w");
        std::fputs("{\"gate_windows\": 32}", f);
        std::fclose(f);
      }
      r = run(from + (tmp / "cv-sb").string() + " --search " + (tmp / "bad-search.json").string());
      EXPECT_EQ(r.status, 8) << r.out;
      EXPECT_NE(r.out.find("unknown key 'gate_windows'"), std::string::npos) << r.out;
      EXPECT_FALSE(std::filesystem::exists(tmp / "cv-sb"));
    }
    // --rhythm-step: the given decision.json's step decides every fold as it
    // is; given the step chosen on all the folds, the figure is that
    // step's pooled one, and decided.csv holds its decisions.
    r = run("cv --from " + (tmp / "cv-loro").string() + " --argmax --rhythm-step " + (tmp / "cv-loro/decision.json").string() +
            " --data " + ds + " --out " + (tmp / "cv-rs").string());
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("not chosen here"), std::string::npos) << r.out;
    {
      std::ifstream f(tmp / "cv-rs/decision.json");
      const auto rs = nlohmann::json::parse(f)["rhythm_step"];
      EXPECT_DOUBLE_EQ(rs["macro_f1_nested"].get<double>(), loro_decision["rhythm_step"]["macro_f1_gated"].get<double>());
      for (const char* k : {"enabled", "irregularity", "p_wave", "premature", "adapt_min_beats"}) EXPECT_EQ(rs[k], loro_decision["rhythm_step"][k]) << k;
      EXPECT_EQ(rs["fold_gates"].size(), 4u);
      EXPECT_FALSE(rs.contains("step_choice"));  // given, not chosen
    }
    r = run("compare " + (tmp / "cv-loro").string() + " " + (tmp / "cv-rs/decided.csv").string() + " --out " + (tmp / "rs.json").string());
    ASSERT_EQ(r.status, 0) << r.out;
    {
      std::ifstream f(tmp / "rs.json");
      EXPECT_DOUBLE_EQ(nlohmann::json::parse(f)["figures"]["f1_macro"]["candidate"].get<double>(),
                       loro_decision["rhythm_step"]["macro_f1_gated"].get<double>());
    }
    refused("--rhythm-step " + (tmp / "cv-loro/metrics.json").string(), "holds no rhythm_step", 8);
    refused("--adapt-forms --rhythm-step " + (tmp / "cv-loro/decision.json").string(), "--adapt-forms");
    // Wrong uses: a family or folds given, no earlier run, a damaged one.
    r = run("cv --from " + (tmp / "cv-loro").string() + " --model xgb-feat --data " + ds + " --out " + (tmp / "cv-x").string());
    EXPECT_EQ(r.status, 8) << r.out;
    EXPECT_NE(r.out.find("cv --from: the family, parameters and folds are the earlier run's"), std::string::npos) << r.out;
    r = run("cv --data " + ds + " --out " + (tmp / "cv-x").string());
    EXPECT_EQ(r.status, 8) << r.out;
    EXPECT_NE(r.out.find("--model is required"), std::string::npos) << r.out;
    std::filesystem::create_directories(tmp / "cv-copy");
    for (const char* f : {"metrics.json", "predictions.csv", "fold.npy"})
      std::filesystem::copy_file(tmp / "cv-loro" / f, tmp / "cv-copy" / f);
    r = run("cv --from " + (tmp / "cv-copy").string() + " --data " + ds + " --out " + (tmp / "cv-x").string());
    EXPECT_NE(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("proba.npy"), std::string::npos) << r.out;
    std::filesystem::copy_file(tmp / "cv-fixed/proba.npy", tmp / "cv-copy/proba.npy");  // another run's probabilities
    r = run("cv --from " + (tmp / "cv-copy").string() + " --data " + ds + " --out " + (tmp / "cv-x").string());
    EXPECT_EQ(r.status, 4) << r.out;
    EXPECT_NE(r.out.find("does not give predictions.csv's class"), std::string::npos) << r.out;
  }
  // decided.csv: the same beats, decided by the rule with its gate nested.
  r = run("compare " + (tmp / "cv-loro").string() + " " + (tmp / "cv-loro/decided.csv").string() + " --out " +
          (tmp / "decided.json").string());
  ASSERT_EQ(r.status, 0) << r.out;
  {
    std::ifstream f(tmp / "decided.json");
    EXPECT_DOUBLE_EQ(nlohmann::json::parse(f)["figures"]["f1_macro"]["candidate"].get<double>(),
                     loro_decision["rhythm_step"]["macro_f1_nested"].get<double>());
  }
  // The two cv runs, compared record by record (the same beats in both).
  r = run("compare " + (tmp / "cv-fixed").string() + " " + (tmp / "cv-loro/predictions.csv").string() + " --per-record --out " +
          (tmp / "cmp.json").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("in 4 records"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sign test"), std::string::npos) << r.out;
  std::ifstream cj(tmp / "cmp.json");
  const auto cmp = nlohmann::json::parse(cj);
  EXPECT_EQ(cmp["beats"], m["n"]);
  EXPECT_EQ(cmp["per_record"].size(), 4u);
  EXPECT_DOUBLE_EQ(cmp["figures"]["f1_macro"]["baseline"].get<double>(), fixed["f1_macro"].get<double>());
  EXPECT_DOUBLE_EQ(cmp["figures"]["f1_macro"]["candidate"].get<double>(), loro["f1_macro"].get<double>());
  // select: the choice between the two runs, cross-validated over the 4
  // records; its nested decisions go back into compare.
  r = run("select " + (tmp / "cv-fixed").string() + " " + (tmp / "cv-loro/decided.csv").string() + " --criterion f1_macro --out " +
          (tmp / "sel.json").string() + " --predictions-out " + (tmp / "sel/nested.csv").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("nested (the choice cross-validated)"), std::string::npos) << r.out;
  {
    std::ifstream f(tmp / "sel.json");
    const auto sel = nlohmann::json::parse(f);
    EXPECT_EQ(sel["records"], 4);
    EXPECT_EQ(sel["per_record"].size(), 4u);
    EXPECT_EQ(sel["candidates"][0]["chosen_for"].get<int>() + sel["candidates"][1]["chosen_for"].get<int>(), 4);
    r = run("compare " + (tmp / "cv-fixed").string() + " " + (tmp / "sel/nested.csv").string() + " --out " + (tmp / "seln.json").string());
    ASSERT_EQ(r.status, 0) << r.out;
    std::ifstream g(tmp / "seln.json");
    EXPECT_DOUBLE_EQ(nlohmann::json::parse(g)["figures"]["f1_macro"]["candidate"].get<double>(),
                     sel["nested"]["figures"]["f1_macro"].get<double>());
  }
  // An operating point: the highest SVEB Se among candidates with SVEB +P >= 0.5 on the other records.
  r = run("select " + (tmp / "cv-fixed").string() + " " + (tmp / "cv-loro/decided.csv").string() +
          " --criterion sveb_se --floor sveb_ppv=0.5 --out " + (tmp / "self.json").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("among those meeting sveb_ppv=0.5 there"), std::string::npos) << r.out;
  {
    std::ifstream f(tmp / "self.json");
    const auto sel = nlohmann::json::parse(f);
    EXPECT_EQ(sel["floors"], nlohmann::json({{"sveb_ppv", 0.5}}));
    EXPECT_TRUE(sel["candidates"][0]["meets_floors"].is_boolean());
  }
  for (const char* bad : {"sveb_ppv", "sveb_ppv=", "sveb_ppv=0.5x", "=0.5", "sveb_ppv=60", "ppv=0.5"}) {
    r = run("select " + (tmp / "cv-fixed").string() + " " + (tmp / "cv").string() + " --floor " + bad);
    EXPECT_EQ(r.status, 8) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("select:"), std::string::npos) << r.out;
  }
  r = run("select " + (tmp / "cv-fixed").string());
  EXPECT_NE(r.status, 0) << r.out;
  r = run("select " + (tmp / "cv-fixed").string() + " " + (tmp / "cv").string() + " --criterion f1");
  EXPECT_NE(r.status, 0) << r.out;
  // Predictions of other beats are refused, naming the first row that differs.
  {
    std::ofstream f(tmp / "other.csv");
    f << "record,r_sample,label,predicted,p_N,p_S,p_V,p_F,p_Q\n101,1,N,N,1,0,0,0,0\n";
  }
  r = run("compare " + (tmp / "cv").string() + " " + (tmp / "other.csv").string());
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("must list the same beats"), std::string::npos) << r.out;
  r = run("compare " + (tmp / "cv").string() + " " + (tmp / "p.json").string());
  EXPECT_EQ(r.status, 4) << r.out;
  EXPECT_NE(r.out.find("p.json:1: expected the header"), std::string::npos) << r.out;

  // Train on all of DS1 (no early-stopping fold) with those class weights;
  // evaluation applies them unless --argmax.
  const std::string model = (tmp / "all.hwm").string();
  r = run("train --model xgb-feat --early-fold -1 --decision " + (tmp / "cv/decision.json").string() + " --data " + ds +
          " --params " + (tmp / "p.json").string() + " --out " + model);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("6 iterations"), std::string::npos) << r.out;
  std::ifstream lj(model + ".log.json");
  const auto log_doc = nlohmann::json::parse(lj);
  // Every JSON written names the build: version and commit.
  EXPECT_EQ(log_doc["build"]["version"], "0.1.0");
  EXPECT_FALSE(log_doc["build"]["git_commit"].get<std::string>().empty());
  const auto& log = log_doc["log"];
  ASSERT_EQ(log.size(), 6u);
  EXPECT_FALSE(log[0].contains("early_loss"));
  // Each entry says when it ended, in seconds since fitting began.
  for (std::size_t i = 0; i < log.size(); ++i) {
    ASSERT_TRUE(log[i].contains("seconds")) << i;
    EXPECT_GT(log[i]["seconds"].get<double>(), 0.0);
    if (i > 0) {
      EXPECT_GE(log[i]["seconds"].get<double>(), log[i - 1]["seconds"].get<double>());
    }
  }
  r = run("evaluate --model " + model + " --data " + ds + " --split train --out " + (tmp / "ev").string());
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream ej(tmp / "ev/metrics.json");
  {
    std::ifstream ej2(tmp / "ev/metrics.json");
    const auto mj = nlohmann::json::parse(ej2);
    EXPECT_EQ(mj["build"]["version"], "0.1.0");
    EXPECT_TRUE(mj["build"]["git_dirty"].is_boolean());
  }
  const auto ev = nlohmann::json::parse(ej);
  EXPECT_EQ(ev["class_weights"], decision["class_weights"]);
  // EC57's VEB +P, as bxb counts it, from the confusion matrix written beside
  // it ([truth][pred], N S V F Q): N and S beats called V are the false VEBs.
  {
    const auto& cm = ev["confusion_matrix"];
    const double vv = cm[2][2].get<double>(), fp = cm[0][2].get<double>() + cm[1][2].get<double>();
    ASSERT_GT(vv, 0);
    EXPECT_DOUBLE_EQ(ev["ec57"]["veb"]["ppv"].get<double>(), vv / (vv + fp));
    EXPECT_EQ(ev["ec57"]["veb"]["fp"].get<double>(), fp);
    EXPECT_TRUE(ev["bootstrap_95ci"]["ec57"].contains("veb_ppv"));
    // bxb's default: each record's first 5 minutes left out.
    const auto& late = ev["ec57"]["from_minute_5"];
    EXPECT_LT(late["beats"].get<std::size_t>(), ev["n"].get<std::size_t>());
    EXPECT_GT(late["beats"].get<std::size_t>(), 0u);
    EXPECT_LE(late["veb"]["tp"].get<double>(), vv);
  }
  EXPECT_NE(r.out.find("EC57 from minute 5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("EC57 (bxb"), std::string::npos) << r.out;
  {
    std::ifstream html(tmp / "ev/report.html");
    const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
    EXPECT_NE(page.find("EC57 +P"), std::string::npos);
  }
  r = run("evaluate --argmax --model " + model + " --data " + ds + " --split train --out " + (tmp / "ev1").string());
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream ej1(tmp / "ev1/metrics.json");
  EXPECT_EQ(nlohmann::json::parse(ej1)["class_weights"], nlohmann::json({1.0, 1.0, 1.0, 1.0, 1.0}));
  // A malformed decision file is refused before anything is written.
  const auto refused = [&](const std::string& decision_json, const std::string& named) {
    {
      std::ofstream f(tmp / "bad.json");
      f << decision_json;
    }
    const auto res = run("train --model xgb-feat --early-fold -1 --decision " + (tmp / "bad.json").string() + " --data " + ds +
                         " --params " + (tmp / "p.json").string() + " --out " + (tmp / "bad.hwm").string());
    EXPECT_NE(res.status, 0) << res.out;
    EXPECT_NE(res.out.find(named), std::string::npos) << res.out;
    EXPECT_FALSE(std::filesystem::exists(tmp / "bad.hwm"));
  };
  refused("{\"class_weights\": [1, 2, 0, 1, 1]}", "class_weights[2]");
  refused("{\"class_weights\": [1, 1, 1, 1, 1], \"rhythm_gate\": {\"enabled\": true, \"p_wave\": \"low\"}}",
          "decision.rhythm_step.p_wave");
  // A seed dataset has no record-grouped folds.
  r = run("data build --protocol seed --records 100,208 --smote-target 300 --data-dir " + heartwave::test::mitdb_dir().string() +
          " --out " + (tmp / "seed").string());
  ASSERT_EQ(r.status, 0) << r.out;
  r = run("cv --model xgb-feat --data " + (tmp / "seed").string() + " --out " + (tmp / "cv2").string());
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("needs an inter-patient dataset"), std::string::npos) << r.out;
}

// The shipped default model (models/default.hwm, used when --model is not
// given) reproduces the DS2 figures stored in it, from a freshly built dataset.
TEST(Cli, DefaultModelReproducesItsStoredFigures) {
  heartwave::test::TempDir tmp;
  const std::string ds = (tmp / "inter").string();
  // Without the second lead the default model refuses the dataset, naming why.
  auto r = run("data build --protocol inter-patient --records 100,101,106 --folds 2 --no-smote --data-dir " + heartwave::test::mitdb_dir().string() + " --out " + ds);
  ASSERT_EQ(r.status, 0) << r.out;
  r = run("evaluate --data " + ds + " --out " + (tmp / "ev").string(), "env -u HEARTWAVE_MODEL");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("second_lead: model true, dataset false"), std::string::npos) << r.out;
  r = run("data build --protocol inter-patient --second-lead --relative-morphology --data-dir " + heartwave::test::mitdb_dir().string() + " --out " + ds);
  ASSERT_EQ(r.status, 0) << r.out;
  r = run("evaluate --data " + ds + " --out " + (tmp / "ev").string(), "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("reproduces the figures stored in the model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("49698 beats"), std::string::npos) << r.out;  // all of DS2
  std::ifstream mj(tmp / "ev/metrics.json");
  const std::string text((std::istreambuf_iterator<char>(mj)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"stored_metrics_reproduced\": true"), std::string::npos);
  EXPECT_NE(text.find("\"protocol\": \"inter-patient\""), std::string::npos);
  const auto metrics = nlohmann::json::parse(text);
  ASSERT_TRUE(metrics["rhythm_step"]["enabled"].get<bool>());  // the shipped decision: argmax, then the rhythm step
  EXPECT_EQ(metrics["class_weights"], nlohmann::json({1.0, 1.0, 1.0, 1.0, 1.0}));
  // The same model on the same records read from the database folder end to
  // end (evaluate --records): the same beats and decisions, so the same
  // confusion matrix as the DS2 dataset's, with the record bootstrap.
  {
    std::string ds2;
    for (int rec : heartwave::ds2_records()) ds2 += (ds2.empty() ? "" : ",") + std::to_string(rec);
    r = run("evaluate --records " + heartwave::test::mitdb_dir().string() + " --only " + ds2 + " --out " + (tmp / "ev-rec").string(),
            "env -u HEARTWAVE_MODEL");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("49698 beats"), std::string::npos) << r.out;
    std::ifstream f(tmp / "ev-rec/metrics.json");
    const auto rec_metrics = nlohmann::json::parse(f);
    EXPECT_EQ(rec_metrics["confusion_matrix"], metrics["confusion_matrix"]);
    EXPECT_EQ(rec_metrics["ec57"], metrics["ec57"]);
    EXPECT_EQ(rec_metrics["bootstrap_95ci"]["records"], 22);
    ASSERT_EQ(rec_metrics["records"].size(), 22u);
    EXPECT_EQ(rec_metrics["records"][0]["record"], "100");
    EXPECT_EQ(rec_metrics["records"][0]["leads"], nlohmann::json({"MLII", "V5"}));
    EXPECT_TRUE(std::filesystem::exists(tmp / "ev-rec/report.html"));
    // predictions.csv: predict's format, one line per beat, as predict --data gives them.
    std::ifstream pf(tmp / "ev-rec/predictions.csv");
    const std::string from_records((std::istreambuf_iterator<char>(pf)), std::istreambuf_iterator<char>());
    r = run("predict --data " + ds + " --out -", "env -u HEARTWAVE_MODEL");
    ASSERT_EQ(r.status, 0);
    std::istringstream a(from_records), b(r.out);
    std::set<std::string> lines_a, lines_b;
    for (std::string line; std::getline(a, line);) lines_a.insert(line);
    for (std::string line; std::getline(b, line);) lines_b.insert(line);
    EXPECT_EQ(lines_a.size(), 49698u + 1);
    EXPECT_EQ(lines_a, lines_b);
    // --only and --exclude choose records; mistakes are usage errors, before any output.
    r = run("evaluate --records " + heartwave::test::mitdb_dir().string() + " --only 100,103 --exclude 103 --out " +
                (tmp / "ev-one").string(),
            "env -u HEARTWAVE_MODEL");
    ASSERT_EQ(r.status, 0) << r.out;
    std::ifstream f1(tmp / "ev-one/metrics.json");
    const auto one = nlohmann::json::parse(f1);
    ASSERT_EQ(one["records"].size(), 1u);
    EXPECT_EQ(one["records"][0]["beats"], 2271);
    // --exclude-paced leaves out the records with paced beats, as EC57 reports: 107 here.
    r = run("evaluate --records " + heartwave::test::mitdb_dir().string() + " --only 100,107 --exclude-paced --out " +
                (tmp / "ev-paced").string(),
            "env -u HEARTWAVE_MODEL");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("1 records with paced beats left out"), std::string::npos) << r.out;
    std::ifstream fp(tmp / "ev-paced/metrics.json");
    const auto paced = nlohmann::json::parse(fp);
    EXPECT_EQ(paced["records_excluded_paced"], nlohmann::json({"107"}));
    ASSERT_EQ(paced["records"].size(), 1u);
    EXPECT_EQ(paced["records"][0]["record"], "100");
    EXPECT_EQ(paced["confusion_matrix"], one["confusion_matrix"]);
    for (const std::string& bad : std::vector<std::string>{"--only 100,999", "--data " + ds, "--store"}) {
      r = run("evaluate --records " + heartwave::test::mitdb_dir().string() + " " + bad + " --out " + (tmp / "ev-x").string(),
              "env -u HEARTWAVE_MODEL");
      EXPECT_EQ(r.status, 8) << bad << ": " << r.out;
      EXPECT_FALSE(std::filesystem::exists(tmp / "ev-x")) << bad;
    }
    r = run("evaluate --out " + (tmp / "ev-x").string(), "env -u HEARTWAVE_MODEL");
    EXPECT_EQ(r.status, 8) << r.out;
    EXPECT_NE(r.out.find("exactly one of --data and --records"), std::string::npos) << r.out;
    r = run("evaluate --records " + (tmp / "ev-one").string() + " --out " + (tmp / "ev-x").string(), "env -u HEARTWAVE_MODEL");
    EXPECT_EQ(r.status, 8) << r.out;
    EXPECT_NE(r.out.find("no record with a header"), std::string::npos) << r.out;
    r = run("evaluate --only 100 --data " + ds + " --out " + (tmp / "ev-x").string(), "env -u HEARTWAVE_MODEL");
    EXPECT_EQ(r.status, 8) << r.out;
    EXPECT_NE(r.out.find("--only, --exclude and --exclude-paced choose records of --records"), std::string::npos) << r.out;
  }
  // Without the gate the figures differ by design: not compared, no warning.
  r = run("evaluate --no-rhythm-gate --data " + ds + " --out " + (tmp / "ev-no-gate").string(), "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("not compared under this one"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("NOT reproduced"), std::string::npos) << r.out;
  // --rhythm-step FILE: the model's own step given as a file is the model's
  // rule (its stored figures reproduced); the shipped 16-beat step decides
  // otherwise (not compared); --store with it, or with --no-rhythm-gate, refused.
  {
    std::ofstream own(tmp / "own-step.json");
    own << nlohmann::json{{"rhythm_step", metrics["rhythm_step"]}}.dump();
  }
  r = run("evaluate --rhythm-step " + (tmp / "own-step.json").string() + " --data " + ds + " --out " + (tmp / "ev-own").string(),
          "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("reproduces the figures stored in the model"), std::string::npos) << r.out;
  const std::string gate16 = std::string(HEARTWAVE_SOURCE_DIR) + "/configs/rhythm-steps/af16-tplcorr.json";
  r = run("evaluate --rhythm-step " + gate16 + " --data " + ds + " --out " + (tmp / "ev-16").string(), "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("not compared under this one"), std::string::npos) << r.out;
  {
    std::ifstream f(tmp / "ev-16/metrics.json");
    const auto m16 = nlohmann::json::parse(f);
    EXPECT_EQ(m16["rhythm_step"]["half_window"], 16);
    EXPECT_NE(metrics["rhythm_step"], m16["rhythm_step"]);
    EXPECT_NE(m16["confusion_matrix"], metrics["confusion_matrix"]);  // another rule, other decisions
    EXPECT_EQ(m16["class_weights"], metrics["class_weights"]);
  }
  const std::string model_bytes = [] {
    std::ifstream in(std::string(HEARTWAVE_SOURCE_DIR) + "/models/default.hwm", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  r = run("evaluate --store --rhythm-step " + gate16 + " --data " + ds + " --out " + (tmp / "ev-x").string(), "env -u HEARTWAVE_MODEL");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("drop --rhythm-step"), std::string::npos) << r.out;
  r = run("evaluate --no-rhythm-gate --rhythm-step " + gate16 + " --data " + ds + " --out " + (tmp / "ev-x").string(), "env -u HEARTWAVE_MODEL");
  EXPECT_NE(r.status, 0) << r.out;
  EXPECT_FALSE(std::filesystem::exists(tmp / "ev-x"));
  {
    std::ofstream bad(tmp / "bad-step.json");
    bad << R"({"rhythm_step": {"enabled": "yes"}})";
  }
  r = run("evaluate --rhythm-step " + (tmp / "bad-step.json").string() + " --data " + ds + " --out " + (tmp / "ev-x").string(),
          "env -u HEARTWAVE_MODEL");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("decision.rhythm_step.enabled"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(tmp / "ev-x"));
  {
    std::ifstream in(std::string(HEARTWAVE_SOURCE_DIR) + "/models/default.hwm", std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), model_bytes);  // nothing stored
  }

  // The rhythm step on raw input decides as on the dataset: record 201 (atrial
  // fibrillation, DS1) from its WFDB files and from the dataset's train split.
  const auto s_calls = [](const std::string& csv_text, const std::string& record, std::map<std::string, std::string>* out) {
    std::istringstream in(csv_text);
    std::string line;
    std::size_t s = 0;
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream ls(line);
      for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
      if (f.size() < 4 || f[0] != record) continue;
      s += f[3] == "S";
      if (out) (*out)[f[1]] = f[3];
    }
    return s;
  };
  const std::string rec201 = (heartwave::test::mitdb_dir() / "201").string();
  r = run("predict --data " + ds + " --split train --out -", "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0);
  std::map<std::string, std::string> from_dataset, from_record;
  s_calls(r.out, "201", &from_dataset);
  r = run("predict --record " + rec201 + " --out -", "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  const std::size_t gated = s_calls(r.out, "201", &from_record);
  EXPECT_EQ(from_record, from_dataset);
  EXPECT_EQ(from_record.size(), 1963u);
  r = run("predict --no-rhythm-gate --record " + rec201 + " --out -", "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_GT(s_calls(r.out, "201", nullptr), gated + 50);  // S calls inside AF, removed by the gate
  // Another rhythm step given: on raw input as on the dataset too.
  std::map<std::string, std::string> g16_dataset, g16_record;
  r = run("predict --rhythm-step " + gate16 + " --data " + ds + " --split train --out -", "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0);
  s_calls(r.out, "201", &g16_dataset);
  r = run("predict --rhythm-step " + gate16 + " --record " + rec201 + " --out -", "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  s_calls(r.out, "201", &g16_record);
  EXPECT_EQ(g16_record, g16_dataset);
  EXPECT_NE(g16_record, from_record);  // the 16-beat step decides 201 otherwise
  // A step measuring P-wave coherence (as the default's does) reads the
  // beats' samples: the same decisions from the record's filtered windows
  // as from the dataset's de-standardised base rows (the default model
  // reads the feat view), here with other thresholds than the default's.
  {
    std::ifstream f(gate16);
    auto step = nlohmann::json::parse(f);
    step["rhythm_step"]["half_window"] = 32;
    step["rhythm_step"]["irregularity"] = 0.06;
    step["rhythm_step"]["p_measure"] = "coherence";
    step["rhythm_step"]["p_wave"] = 0.15;
    std::ofstream(tmp / "coherence-step.json") << step.dump(2);
  }
  std::map<std::string, std::string> coh_dataset, coh_record;
  r = run("predict --rhythm-step " + (tmp / "coherence-step.json").string() + " --data " + ds + " --split train --out -",
          "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  s_calls(r.out, "201", &coh_dataset);
  r = run("predict --rhythm-step " + (tmp / "coherence-step.json").string() + " --record " + rec201 + " --out -", "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  s_calls(r.out, "201", &coh_record);
  EXPECT_EQ(coh_record, coh_dataset);
  EXPECT_NE(coh_record, from_record);  // stricter thresholds than the default's decide 201 otherwise
  r = run("predict --rhythm-step " + (tmp / "bad-step.json").string() + " --record " + rec201 + " --out " + (tmp / "p-x.csv").string(),
          "env -u HEARTWAVE_MODEL");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_FALSE(std::filesystem::exists(tmp / "p-x.csv"));

  // A CSV of two-lead beats (each line r_sample, then both leads' raw windows)
  // cut from 201 at the beats --record classified: the default model decides
  // them as it decides the record (only the RR features of the first and last
  // beats can differ: the record's annotations hold beats outside the windows).
  const heartwave::Recording rec = heartwave::to_recording(heartwave::read_record(rec201));
  std::vector<std::int64_t> at;
  for (const auto& [t, c] : from_record) at.push_back(std::stoll(t));
  std::sort(at.begin(), at.end());
  // The beats at `at` of 201's first `leads` leads, with a header line or without.
  const auto write_beats = [&](const std::string& file, std::size_t leads, bool header) {
    std::ofstream beats(tmp / file);
    if (header) {
      beats << "r_sample";
      for (std::size_t l = 0; l < leads; ++l)
        for (int k = 0; k < 187; ++k) beats << "," << static_cast<char>('a' + l) << k;
      beats << "\n";
    }
    for (const auto t : at) {
      beats << t;
      for (std::size_t l = 0; l < leads; ++l)
        for (std::int64_t k = t - 93; k < t + 94; ++k) beats << "," << rec.samples[l][static_cast<std::size_t>(k)];
      beats << "\n";
    }
  };
  // Two sets of decisions of the same beats agree but for the first and last few.
  const auto expect_agreement = [](std::map<std::string, std::string>& got, const std::map<std::string, std::string>& want) {
    ASSERT_EQ(got.size(), want.size());
    std::size_t same = 0;
    for (const auto& [t, c] : want) same += got[t] == c;
    EXPECT_GE(same, want.size() - 5) << same << " of " << want.size();
  };
  write_beats("201.csv", 2, true);
  r = run("predict --beats " + (tmp / "201.csv").string() + " --out -", "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  std::map<std::string, std::string> from_beats;
  s_calls(r.out, "201", &from_beats);
  expect_agreement(from_beats, from_record);
  // One lead's windows cannot feed the two-lead default model: the error says what to give.
  write_beats("one.csv", 1, false);
  r = run("predict --beats " + (tmp / "one.csv").string() + " --out -", "env -u HEARTWAVE_MODEL");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("one.csv holds one lead and the model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("models/one-lead.hwm (the shipped one-lead model), or each beat's second-lead window after the first"),
            std::string::npos) << r.out;
  // The shipped one-lead model takes them.
  const std::string one_lead = std::string(HEARTWAVE_SOURCE_DIR) + "/models/one-lead.hwm";
  r = run("predict --model " + one_lead + " --beats " + (tmp / "one.csv").string() + " --out -");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(static_cast<std::size_t>(std::count(r.out.begin(), r.out.end(), '\n')), at.size() + 1);
  std::map<std::string, std::string> one_from_beats, one_from_record;
  s_calls(r.out, "one", &one_from_beats);
  r = run("predict --model " + one_lead + " --record " + rec201 + " --out -");
  ASSERT_EQ(r.status, 0) << r.out;
  s_calls(r.out, "201", &one_from_record);
  expect_agreement(one_from_beats, one_from_record);
  // ... and reproduces the DS2 figures stored in it, from a one-lead dataset.
  r = run("data build --protocol inter-patient --data-dir " + heartwave::test::mitdb_dir().string() + " --out " + (tmp / "one-lead").string());
  ASSERT_EQ(r.status, 0) << r.out;
  r = run("evaluate --model " + one_lead + " --data " + (tmp / "one-lead").string() + " --out " + (tmp / "ev-one").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("reproduces the figures stored in the model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("49698 beats"), std::string::npos) << r.out;

  // Beats without times (each line the MLII window alone): every model that
  // reads RR intervals or the dominant beat refuses them, naming the shipped
  // window-only model, which classifies each beat exactly as it does inside
  // the record (it reads nothing but the beat).
  {
    std::ofstream beats(tmp / "alone.csv");
    for (const auto t : at) {
      for (std::int64_t k = t - 93; k < t + 94; ++k) beats << (k > t - 93 ? "," : "") << rec.samples[0][static_cast<std::size_t>(k)];
      beats << "\n";
    }
  }
  for (const std::string& model : {std::string(), " --model " + one_lead}) {
    r = run("predict" + model + " --beats " + (tmp / "alone.csv").string() + " --out -", "env -u HEARTWAVE_MODEL");
    EXPECT_EQ(r.status, 8) << r.out;
    EXPECT_NE(r.out.find("alone.csv holds beats without R-peak sample numbers"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("models/window-only.hwm (the shipped model that reads the beat's window alone)"), std::string::npos) << r.out;
  }
  const std::string alone = std::string(HEARTWAVE_SOURCE_DIR) + "/models/window-only.hwm";
  r = run("predict --model " + alone + " --beats " + (tmp / "alone.csv").string() + " --out -");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto lines = [](const std::string& csv) {
    std::vector<std::string> v;
    std::istringstream in(csv);
    for (std::string line; std::getline(in, line);) v.push_back(line);
    return v;
  };
  const auto from_alone = lines(r.out);
  r = run("predict --model " + alone + " --record " + rec201 + " --out -");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto from_201 = lines(r.out);
  ASSERT_EQ(from_alone.size(), at.size() + 1);
  ASSERT_EQ(from_201.size(), at.size() + 1);
  std::set<std::string> classes;
  for (std::size_t i = 1; i < from_alone.size(); ++i) {
    // record,r_sample,label,predicted,p_N..p_Q: "alone,,,V,..." against "201,<t>,<label>,V,..."
    const auto tail = [](const std::string& l) { return l.substr(l.find(',', l.find(',', l.find(',') + 1) + 1)); };
    ASSERT_EQ(from_alone[i].rfind("alone,,,", 0), 0u) << from_alone[i];
    ASSERT_EQ(from_201[i].rfind("201," + std::to_string(at[i - 1]) + ",", 0), 0u) << from_201[i];
    ASSERT_EQ(tail(from_alone[i]), tail(from_201[i])) << "beat " << i;
    classes.insert(tail(from_alone[i]).substr(1, 1));
  }
  EXPECT_GE(classes.size(), 3u);  // 201 holds N, S and V beats, and the model finds more than one class
  r = run("evaluate --model " + alone + " --data " + (tmp / "one-lead").string() + " --out " + (tmp / "ev-alone").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("reproduces the figures stored in the model"), std::string::npos) << r.out;

  // A one-lead WFDB record (201's MLII alone, written here with its
  // annotations): the default model names the one-lead model, which decides
  // it exactly as it decides the two-lead record.
  {
    const heartwave::Record two = heartwave::read_record(rec201);
    const auto& spec = two.header.signals[0];
    heartwave::write_file_atomic(tmp / "mlii.dat", heartwave::encode_samples(16, two.adc[0]));
    heartwave::write_file_atomic(tmp / "mlii.hea", "mlii 1 360 " + std::to_string(two.adc[0].size()) + "\nmlii.dat 16 " +
                                                       std::to_string(spec.adc_gain) + " 11 " + std::to_string(spec.adc_zero) + " " +
                                                       std::to_string(two.adc[0][0]) + " " +
                                                       std::to_string(heartwave::wfdb_checksum(two.adc[0])) + " 0 MLII\n");
    heartwave::write_annotations(tmp / "mlii.atr", heartwave::read_annotations(rec201 + ".atr"));
  }
  const std::string mlii = (tmp / "mlii").string();
  r = run("predict --record " + mlii + " --out -", "env -u HEARTWAVE_MODEL");
  EXPECT_EQ(r.status, 8) << r.out;
  EXPECT_NE(r.out.find("holds one lead and the model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("models/one-lead.hwm (the shipped one-lead model)"), std::string::npos) << r.out;
  r = run("predict --model " + one_lead + " --record " + mlii + " --out -");
  ASSERT_EQ(r.status, 0) << r.out;
  std::map<std::string, std::string> one_from_mlii;
  s_calls(r.out, "mlii", &one_from_mlii);
  EXPECT_EQ(one_from_mlii, one_from_record);
}

// Another database's record, as INCART stores them (257 Hz, limb lead "II"
// beside others, "V1"), made from record 100 (MLII and V5 resampled; lead
// "I" flat): evaluate --records reads it through the model's preprocessing,
// choosing II and V1 and resampling to 360 Hz, and decides its beats as
// the record itself is decided.
TEST(Cli, EvaluateRecordsOfAnotherDatabase) {
  heartwave::test::TempDir tmp;
  const auto src = heartwave::test::mitdb_dir() / "100";
  const heartwave::Recording rec = heartwave::to_recording(heartwave::read_record(src));
  ASSERT_EQ(rec.leads, (std::vector<std::string>{"MLII", "V5"}));
  const double fs = 257;
  const std::vector<std::vector<double>> leads = {
      std::vector<double>(static_cast<std::size_t>(static_cast<double>(rec.num_samples()) * fs / 360), 0.0),
      heartwave::resample(rec.samples[0], 360, fs), heartwave::resample(rec.samples[1], 360, fs)};
  const std::size_t n = std::min({leads[0].size(), leads[1].size(), leads[2].size()});
  std::filesystem::create_directories(tmp / "db");
  std::string header = "I100 3 257 " + std::to_string(n) + "\n";
  std::vector<std::int32_t> interleaved(3 * n);
  const char* names[] = {"I", "II", "V1"};
  for (std::size_t l = 0; l < 3; ++l) {
    std::int32_t sum = 0;
    for (std::size_t t = 0; t < n; ++t) {
      const auto v = static_cast<std::int32_t>(std::lround(leads[l][t] * 1000));  // 1000 adu/mV
      interleaved[t * 3 + l] = v;
      sum = static_cast<std::int32_t>(static_cast<std::int16_t>(sum + v));
    }
    header += "I100.dat 16 1000/mV 16 0 " + std::to_string(interleaved[l]) + " " + std::to_string(sum) + " 0 " + names[l] + "\n";
  }
  heartwave::write_file_atomic(tmp / "db/I100.hea", header);
  const auto bytes = heartwave::encode_samples(16, interleaved);
  heartwave::write_file_atomic(tmp / "db/I100.dat", std::string(bytes.begin(), bytes.end()));
  auto anns = heartwave::read_annotations(src.string() + ".atr");
  for (auto& a : anns) a.time = std::llround(static_cast<double>(a.time) * fs / 360);
  // Beat types MIT-BIH does not use (INCART does): BBB unspecified and
  // supraventricular escape, outside the AAMI label set here: counted, not scored.
  std::size_t beat_index = 0;
  for (auto& a : anns)
    if (heartwave::is_beat_code(a.code)) {
      ++beat_index;
      if (beat_index >= 10 && beat_index < 13) a.code = *heartwave::annotation_code("B");
      if (beat_index == 20) a.code = *heartwave::annotation_code("n");
    }
  heartwave::write_annotations(tmp / "db/I100.atr", anns);
  heartwave::write_file_atomic(tmp / "db/I101.hea", "I101 1 257 100\nI101.dat 16 1000/mV 16 0 0 0 0 II\n");  // no annotations

  auto r = run("evaluate --records " + (tmp / "db").string() + " --out " + (tmp / "ev").string(), "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 records without .atr annotations left out"), std::string::npos) << r.out;
  std::ifstream f(tmp / "ev/metrics.json");
  const auto m = nlohmann::json::parse(f);
  ASSERT_EQ(m["records"].size(), 1u);
  EXPECT_EQ(m["records"][0]["leads"], nlohmann::json({"II", "V1"}));
  EXPECT_EQ(m["records"][0]["fs"], 257.0);
  EXPECT_EQ(m["protocol"], "records");
  EXPECT_EQ(m["split"], "annotated records of " + (tmp / "db").string());
  EXPECT_EQ(m["bootstrap_95ci"]["records"], 1);
  EXPECT_EQ(m["records_without_annotations"], nlohmann::json({"I101"}));
  EXPECT_EQ(m["unscored_beat_annotations"], nlohmann::json({{"B", 3}, {"n", 1}}));
  EXPECT_NE(r.out.find("not scored: B 3, n 1"), std::string::npos) << r.out;
  // The same beats as record 100 itself (times at the model's 360 Hz, within
  // a sample of the originals), nearly all decided alike.
  r = run("predict --record " + src.string() + " --out -", "env -u HEARTWAVE_MODEL");
  ASSERT_EQ(r.status, 0) << r.out;
  std::map<std::int64_t, std::string> original;
  {
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      std::vector<std::string> c;
      std::stringstream ls(line);
      for (std::string x; std::getline(ls, x, ',');) c.push_back(x);
      original[std::stoll(c[1])] = c[3];
    }
  }
  std::ifstream pf(tmp / "ev/predictions.csv");
  std::string line;
  std::getline(pf, line);
  std::size_t beats = 0, matched = 0, same = 0;
  while (std::getline(pf, line)) {
    std::vector<std::string> c;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');) c.push_back(x);
    ASSERT_EQ(c[0], "I100");
    ++beats;
    const std::int64_t t = std::stoll(c[1]);
    for (std::int64_t d = -1; d <= 1; ++d)
      if (auto it = original.find(t + d); it != original.end()) {
        ++matched;
        same += it->second == c[3];
        break;
      }
  }
  EXPECT_NEAR(static_cast<double>(beats), static_cast<double>(original.size() - 4), 2);
  EXPECT_GE(matched + 6, original.size());
  EXPECT_GE(static_cast<double>(same), 0.99 * static_cast<double>(original.size())) << same << " of " << original.size();
}
