// The reproducible pipeline's definition: pipeline.yaml (stages with a
// command, dependencies, parameters and outputs) and the parameters files it
// names, read with yaml-cpp. Paths are relative to the folder that holds
// pipeline.yaml, where every command also runs (as DVC's dvc.yaml does).
// Errors are typed and name the file, the line and the stage.
#pragma once
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace heartwave::pipeline {

// A parameter a stage reads: a dotted key (train.default.rounds) of a
// parameters file (params.yaml unless the stage names another).
struct ParamRef {
  std::string file = "params.yaml";
  std::string key;
  bool operator==(const ParamRef&) const = default;
};

struct Stage {
  std::string name;
  std::vector<std::string> cmd_template;  // as written (${key} kept), one or more command lines
  std::vector<std::string> cmd;           // ${key} replaced by the parameter's value
  std::vector<std::string> deps, outs;    // normalised paths, relative to Pipeline::root
  std::vector<std::string> deps_template, outs_template;  // as written
  std::vector<ParamRef> declared_params;  // as listed under `params`
  std::vector<ParamRef> params;           // those plus every key used as ${key}
  std::string desc;
  bool always_changed = false;  // never up to date (DVC's always_changed)
  bool frozen = false;          // never run by repro (DVC's frozen)
  int line = 0;                 // where the stage starts in pipeline.yaml (1-based)
};

// One parameters file, loaded once. Values are given as canonical YAML flow
// text ("42", "[1, 2]", "{a: 1}"), so that two values compare as strings.
class Params {
 public:
  explicit Params(std::filesystem::path root) : root_(std::move(root)) {}
  // Throws IoError when the file cannot be read, ParseError when it is not
  // YAML or has no such key (naming file, key and `who`).
  std::string value(const ParamRef& ref, const std::string& who);
  // The value when the key exists, else false (the file must still be readable).
  bool find(const ParamRef& ref, std::string& out);
  // A scalar's plain text (for ${key}); throws ParseError for lists and maps.
  std::string scalar(const ParamRef& ref, const std::string& who);

 private:
  struct File;
  const File& load(const std::string& file);
  std::filesystem::path root_;
  std::map<std::string, std::shared_ptr<File>> files_;
};

struct Pipeline {
  std::filesystem::path file;  // pipeline.yaml
  std::filesystem::path root;  // its folder: paths and commands are relative to it
  std::vector<Stage> stages;   // in file order
  std::vector<std::size_t> order;  // every stage, upstream first (file order among independent ones)

  const Stage* find(const std::string& name) const;
  std::filesystem::path lock_file() const { return root / "pipeline.lock"; }
  std::filesystem::path cache_dir() const { return root / ".heartwave" / "cache"; }
  // The stages `upstream_of` depends on directly (an out of theirs is, holds or is inside a dep of its).
  std::vector<std::size_t> upstream(std::size_t stage) const;
};

// Reads and checks pipeline.yaml and resolves ${key} from the parameters
// files. Throws ParseError (file:line) for malformed YAML or fields, and
// InvalidArgument naming the stages for a cycle, two stages writing the same
// (or nested) output, a stage whose output is its own dependency, or an
// output outside the pipeline's folder.
Pipeline load_pipeline(const std::filesystem::path& file);

// The stages to reproduce for these targets: the targets and everything
// upstream of them, upstream first; every stage when `targets` is empty.
// Throws InvalidArgument for an unknown name (listing the known ones).
std::vector<std::size_t> stages_for(const Pipeline& p, const std::vector<std::string>& targets);

// Whether two normalised relative paths are equal or one is inside the other.
bool paths_overlap(const std::string& a, const std::string& b);

}  // namespace heartwave::pipeline
