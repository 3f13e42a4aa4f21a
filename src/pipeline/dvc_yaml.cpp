// The equivalent dvc.yaml: DVC's documented stage fields (cmd, wdir, deps,
// params, outs, desc, frozen, always_changed), the text as pipeline.yaml
// writes it so that DVC resolves ${key} from params.yaml itself.
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "heartwave/pipeline/repro.hpp"

namespace heartwave::pipeline {

std::string dvc_yaml(const Pipeline& p, const std::filesystem::path& dvc_file) {
  namespace fs = std::filesystem;
  const fs::path at = fs::absolute(dvc_file).lexically_normal().parent_path();
  std::string wdir = p.root.lexically_relative(at).generic_string();
  if (wdir.empty()) wdir = p.root.generic_string();

  YAML::Emitter e;
  e << YAML::BeginMap << YAML::Key << "stages" << YAML::Value << YAML::BeginMap;
  for (std::size_t i : p.order) {
    const Stage& s = p.stages[i];
    e << YAML::Key << s.name << YAML::Value << YAML::BeginMap;
    if (!s.desc.empty()) e << YAML::Key << "desc" << YAML::Value << s.desc;
    e << YAML::Key << "cmd" << YAML::Value;
    if (s.cmd_template.size() == 1) {
      e << s.cmd_template[0];
    } else {
      e << YAML::BeginSeq;
      for (const auto& c : s.cmd_template) e << c;
      e << YAML::EndSeq;
    }
    if (wdir != ".") e << YAML::Key << "wdir" << YAML::Value << wdir;
    if (!s.deps_template.empty()) {
      e << YAML::Key << "deps" << YAML::Value << YAML::BeginSeq;
      for (const auto& d : s.deps_template) e << d;
      e << YAML::EndSeq;
    }
    if (!s.declared_params.empty()) {
      // params.yaml keys plainly, then {FILE: [keys]} per other file, as DVC reads them.
      e << YAML::Key << "params" << YAML::Value << YAML::BeginSeq;
      std::vector<std::string> others;
      for (const auto& ref : s.declared_params) {
        if (ref.file == "params.yaml") e << ref.key;
        else if (std::find(others.begin(), others.end(), ref.file) == others.end()) others.push_back(ref.file);
      }
      for (const auto& file : others) {
        e << YAML::BeginMap << YAML::Key << file << YAML::Value << YAML::BeginSeq;
        for (const auto& ref : s.declared_params)
          if (ref.file == file) e << ref.key;
        e << YAML::EndSeq << YAML::EndMap;
      }
      e << YAML::EndSeq;
    }
    if (!s.outs_template.empty()) {
      e << YAML::Key << "outs" << YAML::Value << YAML::BeginSeq;
      for (const auto& o : s.outs_template) e << o;
      e << YAML::EndSeq;
    }
    if (s.frozen) e << YAML::Key << "frozen" << YAML::Value << true;
    if (s.always_changed) e << YAML::Key << "always_changed" << YAML::Value << true;
    e << YAML::EndMap;
  }
  e << YAML::EndMap << YAML::EndMap;
  return "# Generated from " + p.file.filename().string() +
         " by `heartwave repro --emit-dvc`: the same stages for DVC (`dvc repro`);\n"
         "# do not edit by hand. DVC records md5 hashes in its own dvc.lock; heartwave's\n"
         "# pipeline.lock records sha256 (docs/reproducibility.md).\n" +
         std::string(e.c_str()) + "\n";
}

}  // namespace heartwave::pipeline
