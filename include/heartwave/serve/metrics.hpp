// The service's Prometheus metrics (text exposition format 0.0.4), names
// prefixed heartwave_: requests by route, method and status, latency
// histograms in seconds, requests in flight, beats classified by class,
// samples analysed, model load time, and the build.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace heartwave::serve {

class Metrics {
 public:
  // The latency histogram's upper bounds, in seconds.
  static const std::vector<double>& buckets();

  void request(const std::string& route, const std::string& method, int status, double seconds);
  void enter() { in_flight_.fetch_add(1); }
  void leave() { in_flight_.fetch_sub(1); }
  void beats(const std::array<std::int64_t, 5>& per_class);
  void samples(std::int64_t n) { samples_.fetch_add(n); }
  void model_load_seconds(double s);
  std::int64_t in_flight() const { return in_flight_.load(); }
  std::string text() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> counts;  // per bucket (not cumulative), +Inf last
    double sum = 0;
    std::uint64_t n = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::array<std::uint64_t, 5> beats_{};
  double model_load_ = 0;
  std::atomic<std::int64_t> in_flight_{0}, samples_{0};
};

}  // namespace heartwave::serve
