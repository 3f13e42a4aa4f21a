// The service on a socket: cpp-httplib (Debian's libcpp-httplib) carrying
// serve/http.hpp's requests and responses to Service::handle. Nothing of
// httplib leaks out of http_server.cpp.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "heartwave/serve/service.hpp"

namespace heartwave::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;  // 0: any free port (port() says which)
  int threads = 8;  // connections served at once
  double timeout_s = 60;  // socket read/write timeout and the per-request deadline
  std::size_t max_body_bytes = 64u << 20;
};

class HttpServer {
 public:
  HttpServer(Service& service, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds (IoError naming the address when it cannot), then serves until
  // stop(). bind() alone lets a caller learn the port before serving.
  void bind();
  void serve();  // blocks
  void stop();   // from any thread
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Service& service_;
  ServerOptions options_;
  int port_ = 0;
};

}  // namespace heartwave::serve
