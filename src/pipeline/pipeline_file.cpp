// pipeline.yaml: the stages, their fields checked, ${key} resolved.
#include <algorithm>
#include <set>

#include "heartwave/core/error.hpp"
#include "heartwave/pipeline/pipeline.hpp"
#include "yaml_util.hpp"

namespace heartwave::pipeline {

namespace {

struct Reader {
  std::string file;  // as shown in errors
  Params* params;
};

// Replaces each ${key} with the parameter's value (params.yaml), noting the
// key; "\${" stands for a literal "${".
std::string resolve(const std::string& text, const std::string& who, const Reader& r, std::vector<ParamRef>& used) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "\\${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    const std::size_t end = text.find('}', i + 2);
    if (end == std::string::npos) throw ParseError(r.file + ": " + who + ": '${' without a closing '}' in '" + text + "'");
    std::string key = text.substr(i + 2, end - i - 2);
    key.erase(0, key.find_first_not_of(' '));
    key.erase(key.find_last_not_of(' ') + 1);
    if (key.empty()) throw ParseError(r.file + ": " + who + ": empty ${} in '" + text + "'");
    const ParamRef ref{"params.yaml", key};
    out += r.params->scalar(ref, who + ", ${" + key + "}");
    if (std::find(used.begin(), used.end(), ref) == used.end()) used.push_back(ref);
    i = end + 1;
  }
  return out;
}

std::vector<std::string> strings(const YAML::Node& n, const Reader& r, const std::string& what) {
  std::vector<std::string> out;
  if (n.IsNull()) return out;
  if (n.IsScalar()) return {n.Scalar()};
  if (!n.IsSequence()) throw ParseError(where(r.file, n) + ": " + what + " must be a list");
  for (const auto& item : n) {
    if (item.IsMap())
      throw ParseError(where(r.file, item) + ": " + what + ": only plain paths are supported (no per-output options such as cache or persist)");
    out.push_back(scalar_of(item, r.file, what + " entry"));
  }
  return out;
}

std::vector<ParamRef> param_refs(const YAML::Node& n, const Reader& r, const std::string& who) {
  std::vector<ParamRef> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) throw ParseError(where(r.file, n) + ": " + who + ": params must be a list");
  for (const auto& item : n) {
    if (item.IsScalar()) {
      out.push_back({"params.yaml", item.Scalar()});
      continue;
    }
    // - other.yaml: [key, ...]
    if (!item.IsMap() || item.size() != 1)
      throw ParseError(where(r.file, item) + ": " + who + ": a params entry is a key of params.yaml or {FILE: [keys]}");
    const auto kv = *item.begin();
    const std::string file = scalar_of(kv.first, r.file, "a params file");
    if (!kv.second.IsSequence() || kv.second.size() == 0)
      throw ParseError(where(r.file, item) + ": " + who + ": list the keys of " + file + " (tracking a whole file is not supported)");
    for (const auto& key : kv.second) out.push_back({file, scalar_of(key, r.file, "a params key")});
  }
  for (const auto& ref : out)
    if (ref.key.empty()) throw ParseError(where(r.file, n) + ": " + who + ": empty params key");
  return out;
}

std::string normalise(const std::string& raw, const std::string& what) {
  if (raw.empty()) throw ParseError(what + ": empty path");
  std::string s = std::filesystem::path(raw).lexically_normal().generic_string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.empty() ? "." : s;
}

void check_out(const std::string& out, const std::string& who, const std::set<std::string>& reserved) {
  const std::filesystem::path p(out);
  if (p.is_absolute() || out == "." || out == ".." || out.rfind("../", 0) == 0)
    throw InvalidArgument(who + ": output '" + out + "' is not inside the pipeline's folder");
  if (paths_overlap(out, ".heartwave") || reserved.count(out))
    throw InvalidArgument(who + ": output '" + out + "' is one of the pipeline's own files");
}

Stage read_stage(const std::string& name, const YAML::Node& key, const YAML::Node& body, const Reader& r) {
  Stage s;
  s.name = name;
  s.line = key.Mark().line + 1;
  const std::string who = "stage '" + name + "' (" + r.file + ":" + std::to_string(s.line) + ")";
  if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != std::string::npos)
    throw ParseError(who + ": a stage name holds only letters, digits, '_', '-' and '.'");
  if (!body.IsMap()) throw ParseError(who + ": a stage is a map of cmd, deps, params, outs");
  for (const auto& kv : body) {
    const std::string field = scalar_of(kv.first, r.file, "a field name");
    const YAML::Node& v = kv.second;
    if (field == "cmd") s.cmd_template = strings(v, r, who + ": cmd");
    else if (field == "deps") s.deps_template = strings(v, r, who + ": deps");
    else if (field == "outs") s.outs_template = strings(v, r, who + ": outs");
    else if (field == "params") s.declared_params = param_refs(v, r, who);
    else if (field == "desc") s.desc = scalar_of(v, r.file, who + ": desc");
    else if (field == "always_changed" || field == "frozen") {
      bool b = false;
      if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) throw ParseError(where(r.file, v) + ": " + who + ": " + field + " must be true or false");
      (field == "frozen" ? s.frozen : s.always_changed) = b;
    } else if (field == "meta") {
      // free-form, ignored (as DVC does)
    } else {
      throw ParseError(where(r.file, kv.first) + ": " + who + ": unknown field '" + field +
                       "' (supported: cmd, deps, params, outs, desc, always_changed, frozen, meta)");
    }
  }
  if (s.cmd_template.empty()) throw ParseError(who + ": has no cmd");
  s.params = s.declared_params;
  std::vector<ParamRef> used;
  for (const auto& c : s.cmd_template) s.cmd.push_back(resolve(c, who + ": cmd", r, used));
  for (const auto& d : s.deps_template) s.deps.push_back(normalise(resolve(d, who + ": deps", r, used), who + ": deps"));
  for (const auto& o : s.outs_template) s.outs.push_back(normalise(resolve(o, who + ": outs", r, used), who + ": outs"));
  for (const auto& u : used)
    if (std::find(s.params.begin(), s.params.end(), u) == s.params.end()) s.params.push_back(u);
  for (std::size_t i = 0; i < s.params.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (s.params[i] == s.params[j]) throw ParseError(who + ": parameter '" + s.params[i].key + "' is listed twice");
  return s;
}

}  // namespace

const Stage* Pipeline::find(const std::string& name) const {
  for (const auto& s : stages)
    if (s.name == name) return &s;
  return nullptr;
}

bool paths_overlap(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const auto inside = [](const std::string& in, const std::string& dir) {
    return in.size() > dir.size() && in.compare(0, dir.size(), dir) == 0 && in[dir.size()] == '/';
  };
  return inside(a, b) || inside(b, a);
}

void order_stages(Pipeline& p);  // graph.cpp

Pipeline load_pipeline(const std::filesystem::path& file) {
  Pipeline p;
  p.file = file;
  p.root = std::filesystem::absolute(file).lexically_normal().parent_path();
  const std::string name = file.string();
  const YAML::Node doc = load_yaml_file(file, name);
  if (!doc.IsMap()) throw ParseError(name + ": expected a map with 'stages'");
  Params params(p.root);
  const Reader r{name, &params};
  YAML::Node stages;
  for (const auto& kv : doc) {
    const std::string key = scalar_of(kv.first, name, "a top-level key");
    if (key != "stages") throw ParseError(where(name, kv.first) + ": unsupported top-level key '" + key + "' (only 'stages')");
    stages.reset(kv.second);
  }
  if (!stages.IsDefined() || !stages.IsMap() || stages.size() == 0) throw ParseError(name + ": 'stages' must be a map of one or more stages");
  std::set<std::string> names;
  for (const auto& kv : stages) {
    const std::string stage_name = scalar_of(kv.first, name, "a stage name");
    if (!names.insert(stage_name).second) throw ParseError(where(name, kv.first) + ": stage '" + stage_name + "' is defined twice");
    p.stages.push_back(read_stage(stage_name, kv.first, kv.second, r));
  }
  // Outputs must be the pipeline's, not its own bookkeeping or inputs.
  std::set<std::string> reserved = {normalise(std::filesystem::path(file).filename().string(), name), "pipeline.lock", "params.yaml"};
  for (const auto& s : p.stages)
    for (const auto& ref : s.params) reserved.insert(normalise(ref.file, name));
  for (const auto& s : p.stages)
    for (const auto& o : s.outs) check_out(o, "stage '" + s.name + "'", reserved);
  order_stages(p);
  return p;
}

}  // namespace heartwave::pipeline
