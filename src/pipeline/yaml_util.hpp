// yaml-cpp helpers private to src/pipeline: reading with typed errors that
// name the file and line, and canonical text of a value.
#pragma once
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"

namespace heartwave::pipeline {

// "file:line" of a node (1-based line), or the file alone when unknown.
inline std::string where(const std::string& file, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.line >= 0 ? file + ":" + std::to_string(m.line + 1) : file;
}

inline YAML::Node parse_yaml(const std::string& text, const std::string& name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ParseError(name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

// Throws IoError when it cannot be read, ParseError when it is not YAML.
inline YAML::Node load_yaml_file(const std::filesystem::path& path, const std::string& name) {
  return parse_yaml(read_file_text(path), name);
}

// A value as one line of YAML flow text: "42", "a b", "[1, 2]", "{a: 1}".
inline void set_flow_style(YAML::Node n) {
  if (!n.IsMap() && !n.IsSequence()) return;
  n.SetStyle(YAML::EmitterStyle::Flow);
  if (n.IsSequence()) {
    for (auto item : n) set_flow_style(item);
  } else {
    for (auto kv : n) set_flow_style(kv.second);
  }
}

// Written the same whatever style the file used (block or flow, comments, quotes).
inline std::string flow_text(const YAML::Node& n) {
  YAML::Node copy = YAML::Clone(n);
  set_flow_style(copy);
  YAML::Emitter e;
  e << YAML::Flow << copy;
  return e.c_str();
}

inline std::string scalar_of(const YAML::Node& n, const std::string& file, const std::string& what) {
  if (!n.IsScalar()) throw ParseError(where(file, n) + ": " + what + " must be a string");
  return n.Scalar();
}

}  // namespace heartwave::pipeline
