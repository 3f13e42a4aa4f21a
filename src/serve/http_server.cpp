#include "heartwave/serve/http_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "heartwave/core/error.hpp"

namespace heartwave::serve {

struct HttpServer::Impl {
  httplib::Server server;
};

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void write(const Response& r, httplib::Response& out) {
  out.status = r.status;
  for (const auto& [k, v] : r.headers) out.set_header(k, v);
  if (!r.content_type.empty() || !r.body.empty()) out.set_content(r.body, r.content_type.empty() ? "application/octet-stream" : r.content_type);
}

}  // namespace

HttpServer::HttpServer(Service& service, ServerOptions options)
    : impl_(std::make_unique<Impl>()), service_(service), options_(std::move(options)) {
  httplib::Server& s = impl_->server;
  const int threads = std::max(1, options_.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  const auto secs = static_cast<time_t>(std::max(1.0, options_.timeout_s));
  s.set_read_timeout(secs, 0);
  s.set_write_timeout(secs, 0);
  s.set_keep_alive_max_count(100000);
  s.set_tcp_nodelay(true);
  s.set_keep_alive_timeout(5);
  // A body over the limit is refused by httplib before it is read (413);
  // the service's own check catches what slips through.
  s.set_payload_max_length(options_.max_body_bytes);
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* type = res.status == 413 ? "payload_too_large" : res.status == 400 ? "bad_request" : "http_error";
    const std::string msg = res.status == 413 ? "the body is larger than the limit (--max-body)" : "the request could not be read";
    write(error_response(res.status, type, msg), res);
  });
  const double timeout = options_.timeout_s;
  auto handler = [this, timeout](const httplib::Request& in, httplib::Response& out) {
    // No response compression: httplib would brotli-compress at its highest
    // quality whenever a browser accepts it, which takes tens of seconds on
    // a record's samples. A reverse proxy in front compresses if wanted.
    const_cast<httplib::Request&>(in).headers.erase("Accept-Encoding");
    Request req;
    req.method = in.method;
    req.path = in.path;
    for (const auto& [k, v] : in.params) req.query.emplace(k, v);
    for (const auto& [k, v] : in.headers) req.headers[lower(k)] = v;
    req.multipart = in.is_multipart_form_data();
    if (req.multipart)
      for (const auto& [name, f] : in.files) req.parts.push_back({f.name, f.filename, f.content_type, f.content});
    else
      req.body = in.body;
    std::size_t total = req.body.size();
    for (const auto& p : req.parts) total += p.content.size();
    if (total > options_.max_body_bytes) {
      write(error_response(413, "payload_too_large", "the upload is larger than the limit (--max-body)"), out);
      return;
    }
    req.deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                           std::chrono::duration<double>(timeout));
    write(service_.handle(req), out);
  };
  s.Get(".*", handler);
  s.Post(".*", handler);
  s.Put(".*", handler);
  s.Delete(".*", handler);
  s.Patch(".*", handler);
  s.Options(".*", handler);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::bind() {
  httplib::Server& s = impl_->server;
  if (options_.port == 0) port_ = s.bind_to_any_port(options_.host);
  else port_ = s.bind_to_port(options_.host, options_.port) ? options_.port : -1;
  if (port_ <= 0) throw IoError("serve: cannot listen on " + options_.host + ":" + std::to_string(options_.port) + " (in use, or not an address of this machine)");
}

void HttpServer::serve() {
  if (port_ <= 0) bind();
  impl_->server.listen_after_bind();
}

void HttpServer::stop() {
  if (impl_) impl_->server.stop();
}

}  // namespace heartwave::serve
