// The heartwave command line: every subcommand's options are declared once,
// in its register function, and parsed into one plain struct.
#pragma once
#include <CLI/CLI.hpp>

#include <filesystem>
#include <map>
#include <functional>
#include <string>
#include <vector>

#include "heartwave/holter/episodes.hpp"

namespace heartwave::cli {

// Every command's help text (Markdown: the reference docs/cli.md holds).
std::string command_reference(const CLI::App& app, bool markdown);

// --data-dir default: $HEARTWAVE_DATA, else ../shared/data/mitdb.
std::string default_data_dir();

struct DataBuildArgs {
  std::string protocol;
  std::string data_dir;
  std::string out;
  std::string labels;  // default: seed for --protocol seed, aami for inter-patient
  std::uint64_t seed = 42;
  bool no_smote = false;
  int smote_target = 5000;
  int threads = 2;
  int lead = 0;
  std::string lead_name = "MLII";
  bool second_lead = false;
  bool relative_morphology = false;
  bool signal_quality = false;
  bool second_lead_morphology = false;
  std::vector<std::string> features;  // --features: the feature groups, instead of the four flags above
  int folds = 5;
  bool remove_baseline = false;
  std::vector<std::string> records;
};

struct DataFetchArgs {
  std::string db = "mitdb";
  std::string version = "1.0.0";
  std::string dest;
  std::string base_url = "https://physionet.org/files";
};

struct RecordInfoArgs {
  std::string record;
  std::string data_dir;
  double fs = 0.0;  // CSV input only
  bool json = false;
  bool no_checksum = false;
};

struct TrainArgs {
  std::string model, data, out, params;
  std::uint64_t seed = 42;
  int threads = 2;
  int early_fold = 0;
  std::string decision;  // a decision.json written by `heartwave cv`
  bool exclude_af = false;
};

// The model used when --model is not given: $HEARTWAVE_MODEL, else the
// committed models/default.hwm of the source tree heartwave was built from.
std::string default_model();

// evaluate and predict take the same options.
struct ModelDataArgs {
  std::string model = default_model();
  std::string data, out;
  std::string split = "test";
  int threads = 2;
  bool store = false;  // evaluate only: record the metrics in the model file
  bool argmax = false;  // ignore the model's class weights (plain argmax)
  bool no_rhythm_step = false;  // ignore the model's rhythm step
  std::string rhythm_step;      // --rhythm-step FILE: this decision.json's rhythm step instead of the model's
  std::string record;  // predict only: a WFDB record (path without extension), beats from its annotations
  std::string annotator = "atr";
  std::string beats;   // predict only: a CSV of beats (r_sample then the raw window)
  std::string records;  // evaluate only: a folder of WFDB records, every annotated one scored end to end
  std::vector<std::string> only, exclude;  // evaluate --records: these records only / not these
  bool exclude_paced = false;  // evaluate --records: leave out records with paced beats (as EC57 reports)
  bool detect = false;         // evaluate --records --detect: beats found by the QRS detector, scored by EC57 rules
  std::string detector, lead;  // --detect: the detector and lead (analyze's defaults when empty)
  double window_s = 0.15, learning_s = 300;  // --detect: EC57 match window and learning period
};
using EvaluateArgs = ModelDataArgs;
using PredictArgs = ModelDataArgs;

struct TuneArgs {
  std::string model, data, space, out = "tune.json";
  int trials = 9;
  double minutes = 0;
  int eta = 3;
  int min_budget = 0, max_budget = 0;
  std::uint64_t seed = 42;
  int threads = 2;
};
void register_tune(CLI::App& app, TuneArgs& tune, int& status);

struct CvArgs {
  std::string model, data, out, params;
  std::uint64_t seed = 42;
  int threads = 2;
  bool no_early_stopping = false;
  bool leave_one_record_out = false;
  bool argmax = false;  // decision.json: class weights of 1, only the rhythm step fitted
  std::vector<double> class_weights;  // --class-weights: fixed weights instead (5, or empty)
  std::string rhythm_step;   // --rhythm-step FILE: this decision.json's rhythm step for every fold, not chosen
  std::string search;        // --search FILE: how the rhythm step is searched for (train/rhythm_step_search.hpp)
  std::map<std::string, std::string> search_flags;  // the search's keys given as flags (--gate-window 32 ...), over the file's
  std::string from;  // --from DIR: decide again on an earlier cv run's out-of-fold probabilities, no training
  bool exclude_af = false;
};
void register_cv(CLI::App& app, CvArgs& cv, int& status);
int run_cv(const CvArgs& args);

struct CompareArgs {
  std::string baseline, candidate, out;
  int rounds = 2000;
  std::uint64_t seed = 42;
  bool per_record = false;
};
void register_compare(CLI::App& app, CompareArgs& compare, int& status);
int run_compare(const CompareArgs& args);

struct SelectArgs {
  std::vector<std::string> candidates;
  std::string criterion = "f1_macro", out, predictions_out;
  std::vector<std::string> floors;  // --floor FIGURE=VALUE
};
void register_select(CLI::App& app, SelectArgs& select, int& status);

struct AnalyzeArgs {
  std::vector<std::string> inputs;  // records, EDF/CSV files, folders, or '-' (standard input)
  std::string model = default_model();
  std::string out = "out/analyze";
  std::string annotator = "hw";
  std::vector<std::string> formats = {"wfdb"};
  std::string detector;
  std::string lead;
  int threads = 2;
  double fs = 0;
  std::string stdin_format = "text";
  double adc_gain = 200;
  bool argmax = false, no_rhythm_step = false;
  bool no_summary = false, no_rhythm_annotations = false;
  EpisodeOptions episodes;
  double review_below = 0.6;
};
// The rhythm-episode thresholds as options (--pause, --asystole, --af-min-duration, --af-merge-gap).
void add_episode_options(CLI::App* app, EpisodeOptions& o);
void register_analyze(CLI::App& app, AnalyzeArgs& analyze, int& status);
int run_analyze(const AnalyzeArgs& args);

// heartwave stream: raw samples in (standard input or a recording file fed
// in blocks), classified beats out as JSON lines, as they happen.
struct StreamArgs {
  std::string input;  // a recording file; empty: standard input
  std::string model = default_model();
  std::string format = "f32";  // standard input: i16 or f32, interleaved
  double adc_gain = 200;
  double fs = 0;  // standard input and CSV: required
  int leads = 2;
  std::vector<std::string> lead_names;
  std::string lead, detector;
  int block = 360;
  bool random_blocks = false;
  std::uint64_t seed = 1;
  bool final_only = false;
  double final_delay = 60;
  bool argmax = false, no_rhythm_step = false;
  bool no_episodes = false;
  EpisodeOptions episodes;
};
void register_stream(CLI::App& app, StreamArgs& stream, int& status);

// heartwave serve: the HTTP API and the web page.
struct ServeArgs {
  std::string host = "127.0.0.1";
  int port = 8000;
  std::vector<std::string> models;
  std::string web_dir;
  int threads = 8;
  std::string api_key, api_key_file;
  std::vector<std::string> cors;
  double max_body_mb = 64;
  double timeout_s = 60;
  std::string tracking;
};
void register_serve(CLI::App& app, ServeArgs& serve, int& status);

// The help of every --tracking option.
inline constexpr const char* kTrackingHelp =
    "Tracking store: a SQLite file or postgresql://USER@HOST/DB (default: $HEARTWAVE_TRACKING, else out/tracking.db)";
// heartwave runs list|show|compare|export|import|copy|report: the tracking store (track/store.hpp).
struct RunsArgs {
  std::string tracking, experiment, sort, mlflow, to, out = "runs-report.html";
  std::vector<std::string> filters, ids, files;
  std::size_t limit = 0;
  bool json = false;
};
void register_runs(CLI::App& app, RunsArgs& runs, int& status);
// Automatic tracking of a command (tracking.cpp): --tracking, --no-track,
// --experiment on `app`; a run opens once its options are parsed.
void track_command(CLI::App* app, const std::string& kind);
// Closes the open runs: finished when `status` is 0, else failed.
void finish_tracking(int status);
void set_command_line(int argc, char** argv);
int run_serve(const ServeArgs& args);
int run_stream(const StreamArgs& args);
int run_select(const SelectArgs& args);

// heartwave ec57: bxb's beat-by-beat comparison of annotation files.
struct Ec57Args {
  std::string ref_dir, ref_ann = "atr", test_dir, test_ann;
  std::string records;  // comma-separated, or a file of names; empty: every record of ref_dir
  double learning_period = 300, window = 0.15;
  std::string json, l1, l2;
  bool runs = false, episodes = false;          // rxr's run table / epicmp's episode table instead of bxb's
  std::string episode_rhythms = "(AFIB,(AFL";  // --episode-rhythms: the rhythms an episode is made of
};
void register_ec57(CLI::App& app, Ec57Args& ec57, int& status);
int run_ec57(const Ec57Args& args);
int run_tune(const TuneArgs& args);

// --model FAMILY, --data, --params, --seed and --threads of train and cv
// (cv checks --model itself: `cv --from` takes the family from the earlier run).
void add_family_options(CLI::App* cmd, std::string& model, std::string& data, std::string& params, std::uint64_t& seed,
                        int& threads, const char* data_help, bool model_required = true);
void register_train(CLI::App& app, TrainArgs& train, int& status);
void register_evaluate(CLI::App& app, EvaluateArgs& evaluate, int& status);
void register_predict(CLI::App& app, PredictArgs& predict, int& status);
int run_train(const TrainArgs& args);
int run_evaluate(const EvaluateArgs& args);
int run_predict(const PredictArgs& args);

void register_data(CLI::App& app, DataBuildArgs& build, DataFetchArgs& fetch, int& status);
void register_record(CLI::App& app, RecordInfoArgs& info, int& status);

int run_data_build(const DataBuildArgs& args);
int run_data_fetch(const DataFetchArgs& args);
int run_record_info(const RecordInfoArgs& args);

// heartwave repro / status: the reproducible pipeline (cmd_repro.cpp, pipeline/repro.hpp).
struct ReproArgs {
  std::vector<std::string> stages;
  std::string pipeline = "pipeline.yaml", emit_dvc;
  bool force = false, dry_run = false, json = false;
};
void register_repro(CLI::App& app, ReproArgs& repro, int& status);

// Runs the CLI; returns the process exit status. Library errors map to:
// 3 io, 4 parse/format, 5 checksum, 6 unsupported, 7 network, 8 invalid argument.
int main_entry(int argc, char** argv);

}  // namespace heartwave::cli

namespace heartwave::cli {
int guarded(const std::function<int()>& fn);
}
