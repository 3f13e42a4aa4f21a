// The service: model loading, the page, the guard around every route (CORS,
// API key, body limit, metrics), and the small routes. The beat and record
// routes are in service_beats.cpp and service_records.cpp.
#include "heartwave/serve/service.hpp"

#include <chrono>
#include <fstream>
#include <iterator>

#include "heartwave/core/version.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/track/store.hpp"
#include "service_model.hpp"

namespace heartwave::serve {

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw IoError(p.string() + ": cannot read the page file");
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

std::string content_type_of(const std::string& path) {
  const auto dot = path.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  return "application/octet-stream";
}

Service::Service(ServiceOptions options) : options_(std::move(options)) { add_routes(); }
Service::~Service() = default;

void Service::load() {
  const auto t0 = std::chrono::steady_clock::now();
  if (options_.models.empty()) throw InvalidArgument("serve: no model file given");
  std::vector<std::unique_ptr<Model>> loaded;
  for (const auto& file : options_.models) {
    auto m = std::make_unique<Model>(file, options_.model_threads);
    for (const auto& other : loaded)
      if (other->name == m->name) throw InvalidArgument("serve: two models are named '" + m->name + "' (" + file.string() + ")");
    loaded.push_back(std::move(m));
  }
  models_ = std::move(loaded);
  if (!options_.web_dir.empty()) {
    const auto root = options_.web_dir;
    if (!std::filesystem::is_regular_file(root / "index.html"))
      throw IoError(root.string() + ": no index.html (build the page: cd web && npm ci && npm run build)");
    // Every file of the built page, by its path under the root: requests
    // are looked up in this map, never on disk.
    for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      const std::string rel = "/" + std::filesystem::relative(e.path(), root).generic_string();
      page_[rel] = slurp(e.path());
    }
    page_["/"] = page_["/index.html"];
    if (page_.count("/docs/index.html")) page_["/docs"] = page_["/docs/"] = page_["/docs/index.html"];
  }
  metrics_.model_load_seconds(since(t0));
  ready_.store(true);
}

const Service::Model* Service::find_model(const std::string& name) const {
  if (models_.empty()) return nullptr;
  if (name.empty()) return models_.front().get();
  for (const auto& m : models_)
    if (m->name == name) return m.get();
  return nullptr;
}

const Service::Model& Service::model(const std::string& name) const {
  if (const Model* m = find_model(name)) return *m;
  std::string known;
  for (const auto& m : models_) known += (known.empty() ? "" : ", ") + m->name;
  throw ApiError(422, "invalid_content", "model: no model named '" + name + "' (loaded: " + known + ")");
}

Response Service::handle(const Request& req) {
  const auto t0 = std::chrono::steady_clock::now();
  metrics_.enter();
  const std::string route = router_.route_of(req);
  Response res;
  const std::string origin = req.header("origin");
  bool allowed_origin = false;
  for (const auto& o : options_.cors_origins) allowed_origin |= o == origin || o == "*";
  if (req.method == "OPTIONS" && !origin.empty()) {
    res.status = allowed_origin ? 204 : 403;
    res.content_type.clear();
    if (!allowed_origin) res = error_response(403, "forbidden", "origin " + origin + " is not allowed (--cors-origin)");
  } else if (!options_.api_key.empty() && req.path != "/health" && req.path != "/ready" && route != "page" &&
             !constant_time_equal(req.header("authorization"), "Bearer " + options_.api_key)) {
    res = error_response(401, "unauthorized",
                         req.header("authorization").empty() ? "this server needs an API key: Authorization: Bearer KEY"
                                                             : "the API key is wrong");
    res.headers["WWW-Authenticate"] = "Bearer";
  } else if (req.body.size() > options_.max_body_bytes) {
    res = error_response(413, "payload_too_large",
                         "the body is " + std::to_string(req.body.size()) + " bytes; the limit is " +
                             std::to_string(options_.max_body_bytes) + " (--max-body)");
  } else {
    res = router_.dispatch(req);
  }
  if (allowed_origin) {
    res.headers["Access-Control-Allow-Origin"] = origin;
    res.headers["Vary"] = "Origin";
    if (req.method == "OPTIONS") {
      res.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS";
      res.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type";
      res.headers["Access-Control-Max-Age"] = "600";
    }
  }
  metrics_.leave();
  metrics_.request(route, req.method, res.status, since(t0));
  return res;
}

Response Service::page(const Request& req) const {
  const auto it = page_.find(req.path);
  if (it == page_.end()) {
    if (page_.empty()) throw ApiError(404, "not_found", "this server has no page (--web-dir)");
    throw ApiError(404, "not_found", "no page file " + req.path);
  }
  Response r;
  r.content_type = content_type_of(req.path == "/" || req.path == "/docs" || req.path == "/docs/" ? "index.html" : req.path);
  r.body = it->second;
  // Built assets carry a content hash in their names.
  if (req.path.rfind("/assets/", 0) == 0) r.headers["Cache-Control"] = "public, max-age=31536000, immutable";
  return r;
}

Response Service::models_route(const Request&) const {
  if (!ready()) throw ApiError(503, "not_ready", "the models are still loading");
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : models_) list.push_back(m->info);
  return Response::json(200, nlohmann::json{{"models", list}, {"default", models_.front()->name}, {"build", build_info()}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Service::add_routes() {
  router_.add("GET", "/health", [](const Request&) { return Response::json(200, R"({"status":"ok"})"); });
  router_.add("GET", "/ready", [this](const Request&) {
    if (!ready()) return error_response(503, "not_ready", "the models are still loading");
    return Response::json(200, R"({"status":"ready"})");
  });
  router_.add("GET", "/metrics", [this](const Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.text();
    return r;
  });
  router_.add("GET", "/openapi.json", [](const Request&) { return Response::json(200, openapi_document().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)); });
  router_.add("GET", "/v1/models", [this](const Request& r) { return models_route(r); });
  router_.add("GET", "/v1/examples", [this](const Request& r) { return examples_route(r); });
  for (const auto& id : example_ids())
    router_.add("GET", "/v1/examples/" + id, [this](const Request& r) { return example_route(r); }, "/v1/examples/{id}");
  router_.add("POST", "/predict", [this](const Request& r) { return predict_route(r); });
  router_.add("POST", "/v1/beats:classify", [this](const Request& r) { return classify_route(r); });
  router_.add("POST", "/v1/records:analyze", [this](const Request& r) { return analyze_route(r); });
  router_.add("POST", "/v1/annotations:wfdb", [this](const Request& r) { return annotations_route(r); });
  router_.add("GET", "/v1/runs", [this](const Request& r) { return runs_route(r); });
  router_.add_prefix("GET", "/v1/runs/", [this](const Request& r) { return run_route(r); }, "/v1/runs/{id}");
  for (const std::string p : {"/", "/index.html", "/docs", "/docs/"})
    router_.add("GET", p, [this](const Request& r) { return page(r); }, "page");
  for (const std::string p : {"/assets/", "/docs/"})
    router_.add_prefix("GET", p, [this](const Request& r) { return page(r); }, "page");
}

}  // namespace heartwave::serve
