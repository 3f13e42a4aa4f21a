// The stages' graph: an edge from the stage writing an output to each stage
// whose dependency is, holds or lies inside it; checked for overlapping
// outputs and cycles, and ordered upstream first.
#include <algorithm>
#include <set>

#include "heartwave/core/error.hpp"
#include "heartwave/pipeline/pipeline.hpp"

namespace heartwave::pipeline {

namespace {

bool feeds(const Stage& from, const Stage& to) {
  for (const auto& d : to.deps)
    for (const auto& o : from.outs)
      if (paths_overlap(d, o)) return true;
  return false;
}

void check_outputs(const Pipeline& p) {
  for (std::size_t i = 0; i < p.stages.size(); ++i) {
    const Stage& a = p.stages[i];
    for (const auto& d : a.deps)
      for (const auto& o : a.outs)
        if (paths_overlap(d, o))
          throw InvalidArgument(p.file.string() + ": stage '" + a.name + "' has '" + o + "' as an output and '" + d +
                                "' as a dependency: a stage cannot depend on its own output");
    for (std::size_t k = 0; k < a.outs.size(); ++k)
      for (std::size_t l = 0; l < k; ++l)
        if (paths_overlap(a.outs[k], a.outs[l]))
          throw InvalidArgument(p.file.string() + ": stage '" + a.name + "' lists overlapping outputs '" + a.outs[l] + "' and '" +
                                a.outs[k] + "'");
    for (std::size_t j = 0; j < i; ++j)
      for (const auto& oa : a.outs)
        for (const auto& ob : p.stages[j].outs)
          if (paths_overlap(oa, ob))
            throw InvalidArgument(p.file.string() + ": stages '" + p.stages[j].name + "' and '" + a.name +
                                  "' both write '" + (oa.size() < ob.size() ? oa : ob) + "' (outputs '" + ob + "' and '" + oa +
                                  "'): each output belongs to one stage");
  }
}

// A cycle among the stages not yet ordered, as "a -> b -> a".
std::string find_cycle(const Pipeline& p, const std::vector<int>& indegree) {
  const std::size_t n = p.stages.size();
  std::vector<int> mark(n, 0);  // 0 unseen, 1 on the path, 2 done
  std::vector<std::size_t> path;
  std::string found;
  const auto dfs = [&](auto&& self, std::size_t u) -> bool {
    mark[u] = 1;
    path.push_back(u);
    for (std::size_t v = 0; v < n; ++v) {
      if (v == u || indegree[v] <= 0 || !feeds(p.stages[u], p.stages[v])) continue;
      if (mark[v] == 1) {
        auto at = std::find(path.begin(), path.end(), v);
        for (; at != path.end(); ++at) found += p.stages[*at].name + " -> ";
        found += p.stages[v].name;
        return true;
      }
      if (mark[v] == 0 && self(self, v)) return true;
    }
    path.pop_back();
    mark[u] = 2;
    return false;
  };
  for (std::size_t u = 0; u < n; ++u)
    if (indegree[u] > 0 && mark[u] == 0 && dfs(dfs, u)) return found;
  return "?";
}

}  // namespace

void order_stages(Pipeline& p) {
  check_outputs(p);
  const std::size_t n = p.stages.size();
  std::vector<int> indegree(n, 0);
  for (std::size_t u = 0; u < n; ++u)
    for (std::size_t v = 0; v < n; ++v)
      if (u != v && feeds(p.stages[u], p.stages[v])) ++indegree[v];
  std::vector<bool> placed(n, false);
  p.order.clear();
  while (p.order.size() < n) {
    std::size_t next = n;
    for (std::size_t u = 0; u < n && next == n; ++u)
      if (!placed[u] && indegree[u] == 0) next = u;
    if (next == n) throw InvalidArgument(p.file.string() + ": the stages form a cycle: " + find_cycle(p, indegree));
    placed[next] = true;
    indegree[next] = -1;
    p.order.push_back(next);
    for (std::size_t v = 0; v < n; ++v)
      if (!placed[v] && feeds(p.stages[next], p.stages[v])) --indegree[v];
  }
}

std::vector<std::size_t> Pipeline::upstream(std::size_t stage) const {
  std::vector<std::size_t> out;
  for (std::size_t u = 0; u < stages.size(); ++u)
    if (u != stage && feeds(stages[u], stages[stage])) out.push_back(u);
  return out;
}

std::vector<std::size_t> stages_for(const Pipeline& p, const std::vector<std::string>& targets) {
  if (targets.empty()) return p.order;
  std::set<std::size_t> wanted;
  std::vector<std::size_t> todo;
  for (const auto& t : targets) {
    const Stage* s = p.find(t);
    if (!s) {
      std::string known;
      for (const auto& st : p.stages) known += (known.empty() ? "" : ", ") + st.name;
      throw InvalidArgument(p.file.string() + ": no stage named '" + t + "' (stages: " + known + ")");
    }
    todo.push_back(static_cast<std::size_t>(s - p.stages.data()));
  }
  while (!todo.empty()) {
    const std::size_t s = todo.back();
    todo.pop_back();
    if (!wanted.insert(s).second) continue;
    for (std::size_t u : p.upstream(s)) todo.push_back(u);
  }
  std::vector<std::size_t> out;
  for (std::size_t s : p.order)
    if (wanted.count(s)) out.push_back(s);
  return out;
}

}  // namespace heartwave::pipeline
