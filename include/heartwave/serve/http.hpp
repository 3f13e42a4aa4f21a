// The service's own thin HTTP layer: request and response types, route
// registration, and the one place that turns errors into JSON answers. The
// service core (serve/service.hpp) is written against these types only, so
// it runs and is tested without a socket; serve/http_server.hpp carries them
// over cpp-httplib.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace heartwave::serve {

// One part of a multipart/form-data body.
struct Part {
  std::string name, filename, content_type, content;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  std::vector<Part> parts;  // multipart/form-data, parsed by the transport
  bool multipart = false;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

  std::string header(const std::string& lower_name) const;
  std::string query_value(const std::string& key) const;  // empty when absent
  bool has_query(const std::string& key) const { return query.count(key) > 0; }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;
  static Response json(int status, std::string body);
};

// An error with its HTTP status and type, e.g. {422, "invalid_content",
// "beats[3].signal: 186 samples, 187 expected"}. Handlers throw it; the
// router answers {"error": {"code", "type", "message"}}.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string type, const std::string& message)
      : std::runtime_error(message), status_(status), type_(std::move(type)) {}
  int status() const { return status_; }
  const std::string& type() const { return type_; }

 private:
  int status_;
  std::string type_;
};

// The JSON error body.
Response error_response(int status, const std::string& type, const std::string& message);

using Handler = std::function<Response(const Request&)>;

// Routes by method and exact path. dispatch() never throws: ApiError gives
// its own status; heartwave's typed input errors (ParseError, FormatError,
// InvalidArgument, ChecksumError, UnsupportedError) give 422 with their
// message; anything else is a bug: 500, "internal_error". An unknown path is
// 404, a known path with another method 405.
class Router {
 public:
  void add(const std::string& method, const std::string& path, Handler handler, std::string route_name = "");
  // Every path under `prefix` (ending in '/'), after the exact routes.
  void add_prefix(const std::string& method, const std::string& prefix, Handler handler, std::string route_name);
  Response dispatch(const Request& req) const;
  // The route name a request counts under in the metrics ("unmatched" for
  // 404s), so that arbitrary paths do not create new series.
  std::string route_of(const Request& req) const;
  std::vector<std::pair<std::string, std::string>> routes() const;  // (method, path)

 private:
  struct Route {
    std::string method, path, name;
    Handler handler;
    bool prefix = false;
    bool matches(const std::string& p) const { return prefix ? p.rfind(path, 0) == 0 : p == path; }
  };
  std::vector<Route> routes_;
};

// Constant-time comparison of two strings (for API keys): the time depends
// on the lengths only.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace heartwave::serve
