// The Runs routes: the tracking store read by the page's Runs view
// (GET /v1/runs, GET /v1/runs/{id}). The store is opened on the first
// request that finds it (a SQLite file that exists, or a PostgreSQL URL),
// so a server started before the first tracked run still shows it later.
#include <mutex>

#include "heartwave/core/error.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/serve/service.hpp"
#include "heartwave/track/run_json.hpp"
#include "heartwave/track/store.hpp"

namespace heartwave::serve {

namespace {

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace

const TrackingStore* Service::tracking_store() const {
  std::lock_guard<std::mutex> lock(store_mutex_);
  if (store_) return store_.get();
  const std::string& where = options_.tracking;
  if (where.empty()) return nullptr;
  if (!TrackingStore::is_url(where) && !std::filesystem::is_regular_file(where)) return nullptr;
  try {
    store_ = std::make_unique<TrackingStore>(where);
  } catch (const std::exception& e) {
    throw ApiError(503, "store_unavailable", std::string("the tracking store cannot be opened: ") + e.what());
  }
  return store_.get();
}

std::string Service::tracking_name() const {
  return TrackingStore::is_url(options_.tracking) ? std::string("postgresql") : options_.tracking;
}

Response Service::runs_route(const Request& req) const {
  RunQuery q;
  q.experiment = req.query_value("experiment");
  const auto [from, to] = req.query.equal_range("filter");
  for (auto it = from; it != to; ++it) {
    if (it->second.empty()) continue;
    try {
      q.filters.push_back(parse_run_filter(it->second));
    } catch (const ParseError& e) {
      throw ApiError(422, "invalid_filter", std::string("filter: ") + e.what());
    }
  }
  q.sort = req.query_value("sort");
  if (const std::string limit = req.query_value("limit"); !limit.empty()) {
    std::size_t used = 0;
    long n = 0;
    try {
      n = std::stol(limit, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != limit.size() || n < 1 || n > 100000) throw ApiError(422, "invalid_content", "limit: '" + limit + "' is not an integer from 1 to 100000");
    q.limit = static_cast<std::size_t>(n);
  }
  nlohmann::json body = {{"store", nullptr}, {"count", 0}, {"experiments", nlohmann::json::array()},
                         {"runs", nlohmann::json::array()}, {"build", build_info()}};
  const TrackingStore* store = tracking_store();
  if (!store) return Response::json(200, dump(body));
  body["store"] = tracking_name();
  body["experiments"] = store->experiments();
  for (const auto& r : store->runs(q)) body["runs"].push_back(run_to_json(r, false));
  body["count"] = body["runs"].size();
  return Response::json(200, dump(body));
}

Response Service::run_route(const Request& req) const {
  const std::string id = req.path.substr(std::string("/v1/runs/").size());
  if (id.empty() || id.size() > 64 || id.find_first_not_of("0123456789abcdefABCDEF-_") != std::string::npos)
    throw ApiError(404, "not_found", "no run '" + id.substr(0, 64) + "': a run id is hexadecimal");
  const TrackingStore* store = tracking_store();
  if (!store) throw ApiError(404, "not_found", "no tracking store (heartwave serve --tracking PATH)");
  std::optional<RunRecord> r;
  try {
    r = store->run(id);
  } catch (const InvalidArgument& e) {
    throw ApiError(422, "ambiguous_id", e.what());
  }
  if (!r) throw ApiError(404, "not_found", "no run '" + id + "' in the tracking store");
  nlohmann::json body = run_document(*store, *r);
  body["build"] = build_info();
  return Response::json(200, dump(body));
}

}  // namespace heartwave::serve
