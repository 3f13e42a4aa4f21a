#include "heartwave/serve/metrics.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "heartwave/core/version.hpp"

namespace heartwave::serve {

namespace {

std::string number(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

// A label value with \, " and newline escaped as the format requires.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

constexpr const char* kClasses[5] = {"N", "S", "V", "F", "Q"};

}  // namespace

const std::vector<double>& Metrics::buckets() {
  static const std::vector<double> b = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return b;
}

void Metrics::request(const std::string& route, const std::string& method, int status, double seconds) {
  const auto& b = buckets();
  const std::size_t k = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), seconds) - b.begin());
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, method, status}];
  Histogram& h = latency_[route];
  if (h.counts.empty()) h.counts.assign(b.size() + 1, 0);
  ++h.counts[k];
  h.sum += seconds;
  ++h.n;
}

void Metrics::beats(const std::array<std::int64_t, 5>& per_class) {
  std::lock_guard<std::mutex> lock(mu_);
  for (std::size_t k = 0; k < 5; ++k) beats_[k] += static_cast<std::uint64_t>(per_class[k]);
}

void Metrics::model_load_seconds(double s) {
  std::lock_guard<std::mutex> lock(mu_);
  model_load_ = s;
}

std::string Metrics::text() const {
  std::ostringstream o;
  std::lock_guard<std::mutex> lock(mu_);
  const auto build = build_info();
  o << "# HELP heartwave_build_info The running heartwave's version and git commit.\n"
    << "# TYPE heartwave_build_info gauge\n"
    << "heartwave_build_info{version=\"" << label(build.value("version", "")) << "\",commit=\""
    << label(build.value("git_commit", "")) << "\"} 1\n";
  o << "# HELP heartwave_http_requests_total HTTP requests answered, by route, method and status.\n"
    << "# TYPE heartwave_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    o << "heartwave_http_requests_total{route=\"" << label(std::get<0>(key)) << "\",method=\"" << label(std::get<1>(key))
      << "\",status=\"" << std::get<2>(key) << "\"} " << n << "\n";
  o << "# HELP heartwave_http_request_duration_seconds Time from request to answer, by route.\n"
    << "# TYPE heartwave_http_request_duration_seconds histogram\n";
  const auto& b = buckets();
  for (const auto& [route, h] : latency_) {
    std::uint64_t cum = 0;
    for (std::size_t k = 0; k <= b.size(); ++k) {
      cum += h.counts[k];
      o << "heartwave_http_request_duration_seconds_bucket{route=\"" << label(route) << "\",le=\""
        << (k < b.size() ? number(b[k]) : "+Inf") << "\"} " << cum << "\n";
    }
    o << "heartwave_http_request_duration_seconds_sum{route=\"" << label(route) << "\"} " << number(h.sum) << "\n"
      << "heartwave_http_request_duration_seconds_count{route=\"" << label(route) << "\"} " << h.n << "\n";
  }
  o << "# HELP heartwave_http_requests_in_flight Requests being answered now.\n"
    << "# TYPE heartwave_http_requests_in_flight gauge\n"
    << "heartwave_http_requests_in_flight " << in_flight_.load() << "\n";
  o << "# HELP heartwave_beats_classified_total Beats classified, by class.\n"
    << "# TYPE heartwave_beats_classified_total counter\n";
  for (std::size_t k = 0; k < 5; ++k) o << "heartwave_beats_classified_total{class=\"" << kClasses[k] << "\"} " << beats_[k] << "\n";
  o << "# HELP heartwave_samples_analysed_total Signal samples (per lead) of the recordings analysed.\n"
    << "# TYPE heartwave_samples_analysed_total counter\n"
    << "heartwave_samples_analysed_total " << samples_.load() << "\n";
  o << "# HELP heartwave_model_load_seconds Time taken to load the models at start.\n"
    << "# TYPE heartwave_model_load_seconds gauge\n"
    << "heartwave_model_load_seconds " << number(model_load_) << "\n";
  return o.str();
}

}  // namespace heartwave::serve
