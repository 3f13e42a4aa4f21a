// The heartwave service core: the routes of `heartwave serve` over the
// request and response types of serve/http.hpp, with no socket in it.
// Models are loaded once (load()); until then the model routes and /ready
// answer 503. handle() applies, in this order: CORS preflight, the API key
// (every route but /health and /ready), the body limit, the route, and the
// metrics. docs/service.md describes every route.
#pragma once
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/serve/http.hpp"
#include "heartwave/serve/metrics.hpp"

namespace heartwave {
class TrackingStore;
}

namespace heartwave::serve {

struct ServiceOptions {
  // Model files; the first is the default ("model" omitted). Each is named
  // by its file stem ("default", "one-lead", "window-only").
  std::vector<std::filesystem::path> models;
  // The built page (web/dist: index.html, assets/, docs/), read into memory
  // at start; empty: no page.
  std::filesystem::path web_dir;
  std::string api_key;                    // empty: no key needed
  std::vector<std::string> cors_origins;  // empty: no CORS headers
  std::size_t max_body_bytes = 64u << 20;
  double timeout_s = 60;        // per request: checked between the stages of an analysis
  std::size_t max_beats = 20000;     // per /v1/beats:classify request
  std::size_t max_predict = 200;     // per /predict request
  double max_record_s = 48 * 3600;   // per /v1/records:analyze recording
  int model_threads = 1;
  // The tracking store the Runs routes read: a SQLite file (opened once it
  // exists) or a postgresql:// URL; empty: none.
  std::string tracking;
};

class Service {
 public:
  explicit Service(ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Loads the models and the page (throws, naming the file, on failure);
  // ready() afterwards.
  void load();
  bool ready() const { return ready_.load(); }
  Response handle(const Request& req);
  Metrics& metrics() { return metrics_; }
  const Router& router() const { return router_; }
  const ServiceOptions& options() const { return options_; }

  struct Model;  // a loaded model and its pipeline (service_models.cpp)

 private:
  ServiceOptions options_;
  Router router_;
  Metrics metrics_;
  std::atomic<bool> ready_{false};
  std::vector<std::unique_ptr<Model>> models_;
  std::map<std::string, std::string> page_;  // request path -> file content
  mutable std::mutex store_mutex_;
  mutable std::unique_ptr<TrackingStore> store_;
  const TrackingStore* tracking_store() const;  // nullptr while there is none
  std::string tracking_name() const;            // the file; "postgresql" (no URL, no password)
  void add_routes();
  const Model& model(const std::string& name) const;  // "" = the default; ApiError 422 for an unknown one
  const Model* find_model(const std::string& name) const;
  Response page(const Request& req) const;
  // Route handlers.
  Response models_route(const Request& req) const;
  Response predict_route(const Request& req);
  Response classify_route(const Request& req);
  Response analyze_route(const Request& req);
  Response annotations_route(const Request& req) const;
  Response examples_route(const Request& req) const;
  Response example_route(const Request& req) const;
  Response runs_route(const Request& req) const;
  Response run_route(const Request& req) const;
};

// The OpenAPI 3 document of every route (serve/openapi.cpp).
nlohmann::json openapi_document();

// The MIME type of a page file by its extension.
std::string content_type_of(const std::string& path);

}  // namespace heartwave::serve
