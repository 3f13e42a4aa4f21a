// Request bodies to the service core (serve/service.hpp) with the shipped
// models: the first byte picks the route (predict, beats:classify,
// records:analyze as JSON or as a two-file WFDB upload split at the first
// NUL, annotations:wfdb), the rest is the body. Every answer is JSON with a
// 2xx or 4xx status: a 5xx is a bug.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "heartwave/serve/service.hpp"

using namespace heartwave::serve;

namespace {

Service& service() {
  static Service* s = [] {
    ServiceOptions o;
    const std::string dir = std::string(HEARTWAVE_SOURCE_DIR) + "/models/";
    o.models = {dir + "default.hwm", dir + "window-only.hwm"};
    o.max_record_s = 120;  // keep each analysis short
    auto* svc = new Service(o);
    svc->load();
    return svc;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Request req;
  req.method = "POST";
  req.headers["content-type"] = "application/json";
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: req.path = "/predict"; break;
    case 1: req.path = "/v1/beats:classify"; break;
    case 2: req.path = "/v1/records:analyze"; break;
    case 3: {
      req.path = "/v1/records:analyze";
      req.multipart = true;
      req.headers["content-type"] = "multipart/form-data; boundary=x";
      const auto nul = body.find('\0');
      req.parts.push_back({"file", "r.hea", "", body.substr(0, nul)});
      if (nul != std::string::npos) req.parts.push_back({"file", "r.dat", "", body.substr(nul + 1)});
      break;
    }
    default: req.path = "/v1/annotations:wfdb"; break;
  }
  if (!req.multipart) req.body = body;
  const Response res = service().handle(req);
  if (res.status >= 500 || res.status < 200) __builtin_trap();
  if (res.content_type == "application/json" && nlohmann::json::parse(res.body, nullptr, false).is_discarded()) __builtin_trap();
  return 0;
}
