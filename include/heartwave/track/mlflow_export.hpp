// Export of tracked runs to an MLflow tracking server through its REST API
// (MLflow's documented 2.0 routes): experiments/get-by-name, then
// experiments/create when it does not exist; runs/search by the tag
// heartwave.run_id, so that a run exported twice is not duplicated;
// runs/create; runs/log-batch in chunks within the API's limits (at most
// 1,000 metrics, 100 params, 100 tags and 1,000 items in all per request,
// and 1 MB); runs/update with the status and end time. Timestamps are in
// milliseconds. Params are sent once each (MLflow refuses to change a
// logged param). docs/tracking.md.
#pragma once
#include <string>
#include <vector>

#include "heartwave/track/store.hpp"

namespace heartwave {

struct MlflowExportOptions {
  std::string url;  // http://host:port[/prefix]
  std::string token;  // sent as Authorization: Bearer TOKEN when not empty
  std::size_t max_metrics = 1000, max_params = 100, max_tags = 100, max_items = 1000, max_bytes = 1000000;
};

struct MlflowExportResult {
  std::size_t exported = 0, skipped = 0;  // skipped: already on the server
  std::size_t requests = 0;
};

// Exports `runs` (ids) of `store`. NetworkError naming the route and the
// server's answer when a request fails; InvalidArgument for a bad URL.
MlflowExportResult export_to_mlflow(const TrackingStore& store, const std::vector<std::string>& runs, const MlflowExportOptions& options);

}  // namespace heartwave
