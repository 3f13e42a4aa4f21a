// Inside the service: a loaded model, the request-body helpers every route
// shares, and the built-in examples.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/core/recording.hpp"
#include "heartwave/infer/beat_pipeline.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/serve/service.hpp"

namespace heartwave::serve {

struct Service::Model {
  Model(const std::filesystem::path& file, int threads);
  std::string name;  // the file stem
  std::filesystem::path file;
  ModelBundle bundle;
  std::unique_ptr<BeatPipeline> pipe;
  nlohmann::json info;  // what GET /v1/models says of it
  bool two_lead = false;
  std::size_t window = 0, before = 0;
};

// The body as JSON: 415 unless the content type is application/json, 400
// for malformed JSON, 422 for NaN or Infinity (not JSON; named with their
// byte offset).
nlohmann::json json_body(const Request& req);

// `j` (named `where`, e.g. "beats[3].signal") as exactly `n` finite numbers
// (n = 0: any non-zero count), or ApiError 422 naming the field and what is
// wrong with it.
std::vector<double> finite_numbers(const nlohmann::json& j, const std::string& where, std::size_t n = 0);

// ApiError 503 after the request's deadline (--timeout).
void check_deadline(const Request& req, const char* stage);

// The built-in example recordings (seeded synthetic ECG: nothing from a
// database is shipped), by id, as a records:analyze JSON body.
const std::vector<std::string>& example_ids();
nlohmann::json example_list();
nlohmann::json example_recording(const std::string& id);

}  // namespace heartwave::serve
