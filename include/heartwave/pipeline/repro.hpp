// Reproducing a pipeline: which stages are stale and why (status), running
// only those (repro), restoring earlier outputs from the run cache, and the
// equivalent dvc.yaml.
#pragma once
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "heartwave/pipeline/pipeline.hpp"
#include "heartwave/pipeline/state.hpp"

namespace heartwave::pipeline {

// One difference between a stage's lock entry and the workspace.
struct Change {
  std::string kind;    // "lock" (never run), "cmd", "dep", "param", "out", "always_changed"
  std::string what;    // the path or key ("" for lock, cmd, always_changed)
  std::string change;  // "modified", "deleted", "new", "removed", "missing" (a param not in its file)
  std::string old_value, new_value;  // params: the values; cmd: the commands
};

struct StageStatus {
  std::string name;
  bool up_to_date = false;
  std::vector<Change> changes;
  StageState now;  // the workspace as hashed (outputs included)
  std::vector<std::string> upstream_stale;  // stages upstream of this one that are stale
};

// The workspace's state of a stage's inputs (command, dependencies,
// parameters: missing ones left empty) and, when `with_outs`, its outputs.
StageState current_state(const Pipeline& p, const Stage& s, Params& params, bool with_outs);
// Compares a stage with its lock entry (none: never run).
StageStatus stage_status(const Pipeline& p, const Stage& s, const LockFile& lock, Params& params);
// Every stage's status, upstream first.
std::vector<StageStatus> pipeline_status(const Pipeline& p);
// A change as one line ("changed deps: modified: data/x").
std::string describe(const Change& c);

// Runs `cmd` with /bin/sh -c in `cwd`, in a process group of its own (stdin
// from /dev/null, killed if this process dies). SIGINT, SIGTERM and SIGHUP
// received meanwhile are passed to the group, which is killed 10 s later if
// still running; whatever it left running is killed when the shell exits.
struct CommandResult {
  int exit_code = 0;    // the shell's exit status; -1 when it ended by a signal
  int signal = 0;       // the signal that ended it
  int interrupted = 0;  // a signal this process received while it ran (then passed on)
  bool ok() const { return exit_code == 0 && signal == 0 && interrupted == 0; }
};
CommandResult run_command(const std::string& cmd, const std::filesystem::path& cwd);

struct ReproOptions {
  std::vector<std::string> targets;  // empty: every stage
  bool force = false;    // run every selected stage, the run cache not consulted
  bool dry_run = false;  // say what would run; run, restore and write nothing
};

struct ReproResult {
  int ran = 0, restored = 0, skipped = 0;
  std::vector<std::string> would_run;  // --dry-run
  std::string failed_stage;            // empty: every selected stage is up to date now
  std::string error;                   // why it failed
  int interrupted = 0;                 // the signal that interrupted it
  bool ok() const { return failed_stage.empty(); }
};

// Reproduces the selected stages, upstream first. A stage whose lock entry
// matches the workspace is skipped; one whose inputs match a run in the run
// cache has its outputs restored from the cache; any other has its outputs
// deleted, its command run, its outputs hashed and cached, and only then its
// lock entry written (pipeline.lock is rewritten atomically after each
// stage). A command that fails or is interrupted stops the run and leaves its
// lock entry unchanged. Progress goes to `log`. Throws IoError for a missing
// dependency, ParseError for a missing parameter, InvalidArgument when
// another repro holds the pipeline's lock (.heartwave/tmp/repro.lock).
ReproResult reproduce(const Pipeline& p, const ReproOptions& opt, std::ostream& log);

// The equivalent dvc.yaml (stages with cmd, deps, params, outs as written,
// ${key} kept for DVC to resolve), for a dvc.yaml written at `dvc_file`
// (a `wdir` is added when it is not in the pipeline's folder).
std::string dvc_yaml(const Pipeline& p, const std::filesystem::path& dvc_file);

}  // namespace heartwave::pipeline
