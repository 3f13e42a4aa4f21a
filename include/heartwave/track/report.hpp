// `heartwave runs report`: several tracked runs compared in one
// self-contained HTML page (inline SVG and CSS, no script from the network):
// their parameters side by side with the differing rows highlighted, their
// training curves plotted together (one chart per metric logged at more
// than one step, one line per run), and their final metrics plotted
// together. The Runs view of the web page shows the same. docs/tracking.md.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "heartwave/track/store.hpp"

namespace heartwave {

struct RunCurves {
  RunRecord run;
  std::vector<MetricPoint> points;  // every point of the run (TrackingStore::metric_history(id, ""))
};

struct RunsReportOptions {
  std::string title = "heartwave runs";
  std::string store;              // where the runs came from (shown in the header)
  std::int64_t generated_ms = 0;  // 0: now
};

// The page; InvalidArgument when `runs` is empty.
std::string runs_report_html(const std::vector<RunCurves>& runs, const RunsReportOptions& options);

}  // namespace heartwave
