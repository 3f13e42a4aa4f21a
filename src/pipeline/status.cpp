// Which stages are stale, and why: the workspace against pipeline.lock.
#include <algorithm>

#include "heartwave/pipeline/repro.hpp"

namespace heartwave::pipeline {

namespace {

const FileState* find_file(const std::vector<FileState>& files, const std::string& path) {
  for (const auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

const ParamState* find_param(const std::vector<ParamState>& ps, const std::string& file, const std::string& key) {
  for (const auto& p : ps)
    if (p.file == file && p.key == key) return &p;
  return nullptr;
}

void compare_files(const char* kind, const std::vector<FileState>& now, const std::vector<FileState>& was, std::vector<Change>& out) {
  for (const auto& f : now) {
    const FileState* w = find_file(was, f.path);
    if (!f.exists()) out.push_back({kind, f.path, "deleted", w ? w->sha256 : "", ""});
    else if (!w) out.push_back({kind, f.path, "new", "", f.sha256});
    else if (!f.same_content(*w)) out.push_back({kind, f.path, "modified", w->sha256, f.sha256});
  }
  for (const auto& w : was)
    if (!find_file(now, w.path)) out.push_back({kind, w.path, "removed", w.sha256, ""});
}

std::string param_name(const ParamState& p) { return p.file == "params.yaml" ? p.key : p.file + ":" + p.key; }

}  // namespace

StageState current_state(const Pipeline& p, const Stage& s, Params& params, bool with_outs) {
  StageState st;
  st.cmd = s.cmd;
  for (const auto& d : s.deps) st.deps.push_back(hash_path(p.root, d));
  for (const auto& ref : s.params) {
    ParamState ps{ref.file, ref.key, ""};
    params.find(ref, ps.value);  // missing: left empty
    st.params.push_back(std::move(ps));
  }
  if (with_outs)
    for (const auto& o : s.outs) st.outs.push_back(hash_path(p.root, o));
  return st;
}

StageStatus stage_status(const Pipeline& p, const Stage& s, const LockFile& lock, Params& params) {
  StageStatus out;
  out.name = s.name;
  out.now = current_state(p, s, params, true);
  auto it = lock.stages.find(s.name);
  if (s.frozen) {
    out.up_to_date = true;
    return out;
  }
  if (s.always_changed) out.changes.push_back({"always_changed", "", "", "", ""});
  if (it == lock.stages.end()) {
    out.changes.push_back({"lock", "", "never run", "", ""});
    return out;
  }
  const StageState& was = it->second;
  if (was.cmd != out.now.cmd) {
    std::string a, b;
    for (const auto& c : was.cmd) a += (a.empty() ? "" : "\n") + c;
    for (const auto& c : out.now.cmd) b += (b.empty() ? "" : "\n") + c;
    out.changes.push_back({"cmd", "", "modified", a, b});
  }
  compare_files("dep", out.now.deps, was.deps, out.changes);
  for (const auto& ps : out.now.params) {
    const ParamState* w = find_param(was.params, ps.file, ps.key);
    if (ps.value.empty()) out.changes.push_back({"param", param_name(ps), "missing", w ? w->value : "", ""});
    else if (!w) out.changes.push_back({"param", param_name(ps), "new", "", ps.value});
    else if (w->value != ps.value) out.changes.push_back({"param", param_name(ps), "modified", w->value, ps.value});
  }
  for (const auto& w : was.params)
    if (!find_param(out.now.params, w.file, w.key)) out.changes.push_back({"param", param_name(w), "removed", w.value, ""});
  compare_files("out", out.now.outs, was.outs, out.changes);
  out.up_to_date = out.changes.empty();
  return out;
}

std::vector<StageStatus> pipeline_status(const Pipeline& p) {
  Params params(p.root);
  const LockFile lock = read_lock(p.lock_file());
  std::vector<StageStatus> by_index(p.stages.size());
  std::vector<StageStatus> out;
  for (std::size_t i : p.order) {
    StageStatus st = stage_status(p, p.stages[i], lock, params);
    for (std::size_t u : p.upstream(i)) {
      const StageStatus& up = by_index[u];
      std::vector<std::string> names = up.upstream_stale;
      if (!up.up_to_date) names.push_back(up.name);
      for (const auto& n : names)
        if (std::find(st.upstream_stale.begin(), st.upstream_stale.end(), n) == st.upstream_stale.end()) st.upstream_stale.push_back(n);
    }
    by_index[i] = st;
    out.push_back(std::move(st));
  }
  return out;
}

std::string describe(const Change& c) {
  if (c.kind == "lock") return "not in pipeline.lock: never run, or its last run failed";
  if (c.kind == "always_changed") return "always changed (always_changed: true)";
  if (c.kind == "cmd") return "changed command";
  if (c.kind == "param") {
    if (c.change == "modified") return "changed params: modified: " + c.what + " (" + c.old_value + " -> " + c.new_value + ")";
    if (c.change == "missing") return "changed params: missing: " + c.what + " (not in its parameters file)";
    return "changed params: " + c.change + ": " + c.what;
  }
  return std::string("changed ") + (c.kind == "dep" ? "deps" : "outs") + ": " + c.change + ": " + c.what;
}

}  // namespace heartwave::pipeline
