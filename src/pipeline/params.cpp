// Parameters files (params.yaml): values by dotted key, as canonical YAML text.
#include <yaml-cpp/yaml.h>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/pipeline/pipeline.hpp"
#include "yaml_util.hpp"

namespace heartwave::pipeline {

struct Params::File {
  std::string name;
  YAML::Node root;
};

const Params::File& Params::load(const std::string& file) {
  auto it = files_.find(file);
  if (it != files_.end()) return *it->second;
  auto f = std::make_shared<File>();
  f->name = file;
  f->root = load_yaml_file(root_ / file, file);
  return *files_.emplace(file, f).first->second;
}

bool Params::find(const ParamRef& ref, std::string& out) {
  const File& f = load(ref.file);
  YAML::Node cur = f.root;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = ref.key.find('.', start);
    const std::string part = ref.key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || !cur.IsMap()) return false;
    const YAML::Node& parent = cur;
    YAML::Node next = parent[part];
    if (!next.IsDefined()) return false;
    cur.reset(next);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  out = flow_text(cur);
  return true;
}

std::string Params::value(const ParamRef& ref, const std::string& who) {
  std::string out;
  if (!find(ref, out)) throw ParseError(ref.file + ": has no parameter '" + ref.key + "' (" + who + ")");
  return out;
}

std::string Params::scalar(const ParamRef& ref, const std::string& who) {
  const std::string text = value(ref, who);
  const YAML::Node n = YAML::Load(text);
  if (!n.IsScalar())
    throw ParseError(ref.file + ": parameter '" + ref.key + "' is not a single value, so ${" + ref.key + "} cannot stand for it (" +
                     who + "; dictionary unpacking is not supported)");
  return n.Scalar();
}

}  // namespace heartwave::pipeline
