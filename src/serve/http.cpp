#include "heartwave/serve/http.hpp"

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"

namespace heartwave::serve {

std::string Request::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string Request::query_value(const std::string& key) const {
  const auto it = query.find(key);
  return it == query.end() ? std::string() : it->second;
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response error_response(int status, const std::string& type, const std::string& message) {
  const nlohmann::json j = {{"error", {{"code", status}, {"type", type}, {"message", message}}}};
  return Response::json(status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Router::add(const std::string& method, const std::string& path, Handler handler, std::string route_name) {
  routes_.push_back({method, path, route_name.empty() ? path : std::move(route_name), std::move(handler)});
}

void Router::add_prefix(const std::string& method, const std::string& prefix, Handler handler, std::string route_name) {
  routes_.push_back({method, prefix, std::move(route_name), std::move(handler), true});
}

std::string Router::route_of(const Request& req) const {
  for (const Route& r : routes_)
    if (!r.prefix && r.path == req.path) return r.name;
  for (const Route& r : routes_)
    if (r.prefix && r.matches(req.path)) return r.name;
  return "unmatched";
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Route& r : routes_) out.emplace_back(r.method, r.path);
  return out;
}

Response Router::dispatch(const Request& req) const {
  const Route* found = nullptr;
  bool path_known = false;
  for (int pass = 0; pass < 2 && !found && !path_known; ++pass)
    for (const Route& r : routes_) {
      if (r.prefix != (pass == 1) || !r.matches(req.path)) continue;
      path_known = true;
      if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
        found = &r;
        break;
      }
    }
  if (!found) {
    if (path_known) return error_response(405, "method_not_allowed", req.method + " is not allowed on " + req.path);
    return error_response(404, "not_found", "no route " + req.path);
  }
  try {
    return found->handler(req);
  } catch (const ApiError& e) {
    return error_response(e.status(), e.type(), e.what());
  } catch (const nlohmann::json::exception& e) {
    return error_response(422, "invalid_content", std::string("the request does not fit the schema: ") + e.what());
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::io || e.kind() == ErrorKind::network)
      return error_response(500, "internal_error", std::string("internal error: ") + e.what());
    return error_response(422, e.kind() == ErrorKind::unsupported ? "unsupported" : "invalid_content", e.what());
  } catch (const std::exception& e) {
    return error_response(500, "internal_error", std::string("internal error: ") + e.what());
  }
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

}  // namespace heartwave::serve
