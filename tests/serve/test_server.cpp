// The service on a real socket (127.0.0.1, a free port): requests through
// cpp-httplib's client, the body limit before the body is read, and a
// bounded load test: several clients for a few seconds, good requests with
// every kind of bad one in between, no failed request, the right status for
// each, and no memory growth across rounds.
#include <gtest/gtest.h>
#include <httplib.h>

#include <malloc.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <thread>

#include "heartwave/serve/http_server.hpp"
#include "support.hpp"

using namespace heartwave::serve;
using nlohmann::json;

namespace {

struct Running {
  Service service;
  HttpServer server;
  std::thread thread;
  explicit Running(ServiceOptions so, ServerOptions ho = {}) : service(std::move(so)), server(service, with_port0(ho)) {
    service.load();
    server.bind();
    thread = std::thread([this] { server.serve(); });
    httplib::Client c("127.0.0.1", server.port());
    for (int i = 0; i < 200; ++i) {
      if (auto r = c.Get("/health"); r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the server did not answer";
  }
  ~Running() {
    server.stop();
    thread.join();
  }
  static ServerOptions with_port0(ServerOptions o) {
    o.port = 0;
    return o;
  }
};

ServiceOptions shipped() {
  ServiceOptions o;
  const auto dir = std::filesystem::path(HEARTWAVE_SOURCE_DIR) / "models";
  for (const char* f : {"default.hwm", "one-lead.hwm", "window-only.hwm"}) o.models.push_back(dir / f);
  return o;
}

std::string beat_body() {
  std::vector<double> x(187);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::exp(-std::pow((static_cast<double>(i) - 93) / 6.0, 2));
  return json{{"beats", {{{"signal", x}}}}}.dump();
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

long rss_kib() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

TEST(Server, AnswersOverTheSocketWithJsonErrors) {
  ServerOptions ho;
  ho.max_body_bytes = 1 << 20;
  ServiceOptions so = shipped();
  so.max_body_bytes = 1 << 20;
  Running s(so, ho);
  httplib::Client c("127.0.0.1", s.server.port());
  auto r = c.Post("/v1/beats:classify", beat_body(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["beats"][0]["model"], "window-only");
  r = c.Post("/v1/beats:classify", "{", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"]["type"], "malformed_json");
  // Over the limit: refused with a JSON 413, and the server goes on.
  r = c.Post("/v1/beats:classify", std::string(2 << 20, ' '), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], 413);
  r = c.Get("/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body)["openapi"].get<std::string>().substr(0, 2), "3.");
  // A multipart upload through the transport.
  const auto mitdb = heartwave::test::mitdb_dir();
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  httplib::MultipartFormDataItems items = {{"file", slurp(mitdb / "100.hea"), "100.hea", "text/plain"},
                                           {"file", slurp(mitdb / "100.dat"), "100.dat", "application/octet-stream"}};
  httplib::Client big("127.0.0.1", s.server.port());
  ServiceOptions roomy = shipped();
  r = big.Post("/v1/records:analyze", items);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);  // 1.9 MB > the 1 MB limit of this server
  EXPECT_EQ(c.Get("/health")->status, 200);
}

TEST(Server, BoundedLoadWithBadInputsInBetween) {
  Running s(shipped());
  const std::string good = beat_body();
  struct Bad {
    std::string body, type;
    int status;
  };
  const std::vector<Bad> bad = {{"{", "application/json", 400},
                                {good, "text/plain", 415},
                                {R"({"beats":[{"signal":[1,2,3]}]})", "application/json", 422},
                                {R"({"beats":[{"signal":[NaN]}]})", "application/json", 422},
                                {R"({"beats":[]})", "application/json", 422},
                                {R"([1,2])", "application/json", 422}};
  std::atomic<long> ok{0}, failed{0}, wrong{0};
  // Resident memory after each round, with the allocator's free pages handed
  // back first, and the requests answered by then.
  std::vector<long> rss, answered;
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t)
      clients.emplace_back([&, t] {
        httplib::Client c("127.0.0.1", s.server.port());
        c.set_keep_alive(true);
        c.set_tcp_nodelay(true);
        for (long i = 0; std::chrono::steady_clock::now() < until; ++i) {
          const bool is_bad = (i + t) % 5 == 0;
          const Bad& b = bad[static_cast<std::size_t>(i + t) % bad.size()];
          auto r = is_bad ? c.Post("/v1/beats:classify", b.body, b.type.c_str()) : c.Post("/v1/beats:classify", good, "application/json");
          if (!r) {
            ++failed;
            continue;
          }
          const int want = is_bad ? b.status : 200;
          if (r->status != want) ++wrong;
          else ++ok;
        }
      });
    for (auto& c : clients) c.join();
    malloc_trim(0);
    rss.push_back(rss_kib());
    answered.push_back(ok.load() + wrong.load());
  }
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(ok.load(), 500);
  // Growth after the first round (thread stacks, arenas and caches warm up
  // there) must stay under 4 MiB plus 256 bytes per request: a request that
  // leaked its body (about 1.5 KB here) would exceed it many times over,
  // while the allocator's placement noise (up to ~8 MiB seen on CI without
  // the trim) does not. LeakSanitizer checks the same test in the ASan build.
  // Under AddressSanitizer freed memory waits in its quarantine (up to
  // 256 MB) and resident memory says nothing: LeakSanitizer checks there.
  if (!kAddressSanitizer) {
    const long grew = rss[kRounds - 1] - rss[0];
    const long requests = answered[kRounds - 1] - answered[0];
    EXPECT_LT(grew, 4 * 1024 + requests * 256 / 1024)
        << "resident memory grew by " << grew << " KiB over " << requests << " requests after the first round";
  }
  httplib::Client c("127.0.0.1", s.server.port());
  const std::string metrics = c.Get("/metrics")->body;
  EXPECT_NE(metrics.find("route=\"/v1/beats:classify\",method=\"POST\",status=\"422\""), std::string::npos);
}
