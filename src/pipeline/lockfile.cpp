// pipeline.lock: DVC's dvc.lock schema 2.0, with sha256 hashes.
#include <algorithm>
#include <filesystem>

#include "heartwave/core/error.hpp"
#include "heartwave/pipeline/state.hpp"
#include "yaml_util.hpp"

namespace heartwave::pipeline {

namespace {

void emit_files(YAML::Emitter& e, const char* key, const std::vector<FileState>& files) {
  if (files.empty()) return;
  e << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const auto& f : files) {
    e << YAML::BeginMap;
    e << YAML::Key << "path" << YAML::Value << f.path;
    e << YAML::Key << "hash" << YAML::Value << "sha256";
    e << YAML::Key << "sha256" << YAML::Value << f.sha256;
    e << YAML::Key << "size" << YAML::Value << f.size;
    if (f.is_dir()) e << YAML::Key << "nfiles" << YAML::Value << f.nfiles;
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
}

void emit_stage(YAML::Emitter& e, const StageState& s) {
  e << YAML::BeginMap;
  e << YAML::Key << "cmd" << YAML::Value;
  if (s.cmd.size() == 1) {
    e << s.cmd[0];
  } else {
    e << YAML::BeginSeq;
    for (const auto& c : s.cmd) e << c;
    e << YAML::EndSeq;
  }
  emit_files(e, "deps", s.deps);
  if (!s.params.empty()) {
    // params: {FILE: {key: value}}, the files in first-use order.
    std::vector<std::string> files;
    for (const auto& p : s.params)
      if (std::find(files.begin(), files.end(), p.file) == files.end()) files.push_back(p.file);
    e << YAML::Key << "params" << YAML::Value << YAML::BeginMap;
    for (const auto& file : files) {
      e << YAML::Key << file << YAML::Value << YAML::BeginMap;
      for (const auto& p : s.params)
        if (p.file == file) e << YAML::Key << p.key << YAML::Value << YAML::Load(p.value);
      e << YAML::EndMap;
    }
    e << YAML::EndMap;
  }
  emit_files(e, "outs", s.outs);
  e << YAML::EndMap;
}

std::uint64_t unsigned_of(const YAML::Node& n, const std::string& file, const std::string& what) {
  std::uint64_t v = 0;
  if (!n.IsScalar() || !YAML::convert<std::uint64_t>::decode(n, v)) throw ParseError(where(file, n) + ": " + what + " must be a count");
  return v;
}

std::vector<FileState> read_files(const YAML::Node& n, const std::string& file, const std::string& who) {
  std::vector<FileState> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) throw ParseError(where(file, n) + ": " + who + " must be a list");
  for (const auto& item : n) {
    if (!item.IsMap()) throw ParseError(where(file, item) + ": " + who + " entries are maps (path, hash, sha256, size)");
    FileState f;
    f.path = scalar_of(item["path"], file, who + ": path");
    if (item["md5"] && !item["sha256"])
      throw FormatError(where(file, item) + ": " + who + " '" + f.path + "' has an md5 hash (a dvc.lock written by DVC?); heartwave records sha256");
    f.sha256 = scalar_of(item["sha256"], file, who + ": sha256");
    if (item["hash"] && scalar_of(item["hash"], file, who + ": hash") != "sha256")
      throw FormatError(where(file, item) + ": " + who + " '" + f.path + "': hash '" + item["hash"].Scalar() + "', expected sha256");
    if (item["size"]) f.size = unsigned_of(item["size"], file, who + ": size");
    if (item["nfiles"]) f.nfiles = static_cast<std::int64_t>(unsigned_of(item["nfiles"], file, who + ": nfiles"));
    out.push_back(std::move(f));
  }
  return out;
}

StageState read_stage(const YAML::Node& n, const std::string& file, const std::string& who) {
  if (!n.IsMap()) throw ParseError(where(file, n) + ": " + who + " must be a map");
  StageState s;
  const YAML::Node cmd = n["cmd"];
  if (!cmd) throw ParseError(where(file, n) + ": " + who + " has no cmd");
  if (cmd.IsSequence()) {
    for (const auto& c : cmd) s.cmd.push_back(scalar_of(c, file, who + ": cmd"));
  } else {
    s.cmd.push_back(scalar_of(cmd, file, who + ": cmd"));
  }
  s.deps = read_files(n["deps"], file, who + ": deps");
  s.outs = read_files(n["outs"], file, who + ": outs");
  const YAML::Node params = n["params"];
  if (params && !params.IsNull()) {
    if (!params.IsMap()) throw ParseError(where(file, params) + ": " + who + ": params must be a map of files");
    for (const auto& f : params) {
      const std::string pf = scalar_of(f.first, file, who + ": a params file");
      if (!f.second.IsMap()) throw ParseError(where(file, f.second) + ": " + who + ": params of " + pf + " must be a map");
      for (const auto& kv : f.second) s.params.push_back({pf, scalar_of(kv.first, file, who + ": a param key"), flow_text(kv.second)});
    }
  }
  return s;
}

}  // namespace

std::string stage_state_yaml(const StageState& s) {
  YAML::Emitter e;
  emit_stage(e, s);
  return std::string(e.c_str()) + "\n";
}

StageState parse_stage_state(const std::string& text, const std::string& name) {
  return read_stage(parse_yaml(text, name), name, "the run");
}

LockFile read_lock(const std::filesystem::path& path) {
  LockFile lock;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return lock;
  const std::string file = path.string();
  const YAML::Node doc = load_yaml_file(path, file);
  if (doc.IsNull()) return lock;
  if (!doc.IsMap()) throw ParseError(file + ": expected a map with schema and stages");
  const YAML::Node schema = doc["schema"];
  if (!schema || !schema.IsScalar() || schema.Scalar() != "2.0")
    throw FormatError(file + ": schema '" + (schema && schema.IsScalar() ? schema.Scalar() : std::string()) + "', expected '2.0'");
  const YAML::Node stages = doc["stages"];
  if (!stages || stages.IsNull()) return lock;
  if (!stages.IsMap()) throw ParseError(where(file, stages) + ": stages must be a map");
  for (const auto& kv : stages) {
    const std::string name = scalar_of(kv.first, file, "a stage name");
    lock.stages[name] = read_stage(kv.second, file, "stage '" + name + "'");
  }
  return lock;
}

void write_lock(const std::filesystem::path& path, const LockFile& lock, const std::vector<std::string>& order) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "schema" << YAML::Value << YAML::SingleQuoted << "2.0";
  e << YAML::Key << "stages" << YAML::Value << YAML::BeginMap;
  for (const auto& name : order) {
    auto it = lock.stages.find(name);
    if (it == lock.stages.end()) continue;
    e << YAML::Key << name << YAML::Value;
    emit_stage(e, it->second);
  }
  e << YAML::EndMap << YAML::EndMap;
  if (!e.good()) throw IoError(path.string() + ": cannot write YAML: " + e.GetLastError());
  write_durable(path, std::string(e.c_str()) + "\n");
}

}  // namespace heartwave::pipeline
