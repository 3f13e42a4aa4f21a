// Runs as JSON: the one shape that `heartwave runs list/show --json`, the
// service's /v1/runs routes and `heartwave runs import` share.
//   run:   {"id", "experiment", "status", "start_ms", "end_ms", "git_commit",
//           "git_dirty", "command", "params": {k: "v"}, "tags": {k: "v"},
//           "metrics": {k: last value}} (+ "host", "pid", "artifacts" in full)
//   curves: {"key": [[step, value], ...], ...}, every key's points by step
// A full run document is {"run": run (full), "curves": curves}.
#pragma once
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/track/store.hpp"

namespace heartwave {

nlohmann::json run_to_json(const RunRecord& r, bool full);
nlohmann::json curves_to_json(const std::vector<MetricPoint>& points);
// {"run": ..., "curves": ...} of a run in the store (its whole history).
nlohmann::json run_document(const TrackingStore& store, const RunRecord& r);

// A run document read back (run_document's shape, or what `runs import`
// reads): ParseError naming `where` and the field that is wrong.
struct RunImport {
  RunRecord run;
  std::vector<MetricPoint> points;
};
RunImport run_from_json(const nlohmann::json& doc, const std::string& where);

}  // namespace heartwave
