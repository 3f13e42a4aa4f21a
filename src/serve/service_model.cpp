#include "service_model.hpp"

#include <cmath>

#include "heartwave/core/version.hpp"
#include "heartwave/dsp/synthetic.hpp"

namespace heartwave::serve {

Service::Model::Model(const std::filesystem::path& f, int threads) : name(f.stem().string()), file(f), bundle(load_bundle(f, threads)) {
  pipe = std::make_unique<BeatPipeline>(bundle.meta, *bundle.model);
  const Preprocessing& pre = pipe->preprocessing();
  two_lead = pre.second_lead;
  window = static_cast<std::size_t>(pre.window.length());
  before = static_cast<std::size_t>(pre.window.before);
  nlohmann::json classes = nlohmann::json::array();
  for (int k = 0; k < 5; ++k) classes.push_back(std::string(class_name(k)));
  info = {{"name", name},
          {"file", f.filename().string()},
          {"family", bundle.meta.value("family", "")},
          {"label_set", bundle.meta.value("label_set", "")},
          {"classes", classes},
          {"fs", pre.fs},
          {"window", window},
          {"r_index", before},
          {"leads", two_lead ? 2 : 1},
          {"needs_beat_times", pipe->needs_beat_times()},
          {"protocol", bundle.meta.value("protocol", "")},
          {"heartwave_version", bundle.meta.value("heartwave_version", "")},
          {"dataset_manifest_sha256", bundle.meta.value("dataset_manifest_sha256", "")},
          {"metrics", bundle.meta.value("metrics", nlohmann::json::object())},
          {"preprocessing", bundle.meta.value("preprocessing", nlohmann::json::object())},
          {"decision", bundle.meta.value("decision", nlohmann::json::object())}};
}

nlohmann::json json_body(const Request& req) {
  const std::string type = req.header("content-type");
  if (type.rfind("application/json", 0) != 0)
    throw ApiError(415, "unsupported_media_type",
                   "the body must be application/json" + (type.empty() ? std::string(" (no Content-Type given)") : ", not " + type));
  try {
    return nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    // NaN and Infinity are not JSON, but clients write them: say so.
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    for (const char* word : {"NaN", "Infinity", "-Infinity", "nan", "inf", "-inf"}) {
      const std::size_t w = std::char_traits<char>::length(word);
      for (std::size_t start = at >= w ? at - w + 1 : 0; start <= at && start < req.body.size(); ++start)
        if (req.body.compare(start, w, word) == 0)
          throw ApiError(422, "invalid_content",
                         "the body holds " + std::string(word) + " at byte " + std::to_string(start) + ": every sample must be a finite number");
    }
    throw ApiError(400, "malformed_json", std::string("the body is not valid JSON: ") + e.what());
  } catch (const nlohmann::json::out_of_range& e) {
    throw ApiError(422, "invalid_content", std::string("a number in the body is out of range (every sample must be a finite number): ") + e.what());
  }
}

std::vector<double> finite_numbers(const nlohmann::json& j, const std::string& where, std::size_t n) {
  if (!j.is_array()) throw ApiError(422, "invalid_content", where + ": must be an array of numbers");
  if (j.empty()) throw ApiError(422, "invalid_content", where + ": is empty");
  if (n > 0 && j.size() != n)
    throw ApiError(422, "invalid_content", where + ": " + std::to_string(j.size()) + " samples, " + std::to_string(n) + " expected");
  std::vector<double> out(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_number()) throw ApiError(422, "invalid_content", where + "[" + std::to_string(i) + "]: not a number");
    out[i] = j[i].get<double>();
    if (!std::isfinite(out[i])) throw ApiError(422, "invalid_content", where + "[" + std::to_string(i) + "]: not finite");
  }
  return out;
}

void check_deadline(const Request& req, const char* stage) {
  if (std::chrono::steady_clock::now() > req.deadline)
    throw ApiError(503, "timeout", std::string("the request ran past its time limit (--timeout) during ") + stage);
}

namespace {

struct Example {
  std::string id, title;
  SyntheticOptions options;
};

const std::vector<Example>& examples() {
  static const std::vector<Example> list = [] {
    std::vector<Example> v(2);
    v[0].id = "synthetic-pvc";
    v[0].title = "Synthetic ECG, 2 leads, 5 minutes, 70 bpm, 10% PVCs (seed 1)";
    v[0].options.seconds = 300, v[0].options.pvc_fraction = 0.1;
    v[1].id = "synthetic-sinus";
    v[1].title = "Synthetic ECG, 2 leads, 2 minutes, 60 bpm sinus rhythm (seed 2)";
    v[1].options.seconds = 120, v[1].options.heart_rate_bpm = 60, v[1].options.seed = 2;
    return v;
  }();
  return list;
}

}  // namespace

const std::vector<std::string>& example_ids() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> v;
    for (const auto& e : examples()) v.push_back(e.id);
    return v;
  }();
  return ids;
}

nlohmann::json example_list() {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : examples())
    list.push_back({{"id", e.id}, {"title", e.title}, {"fs", e.options.fs}, {"seconds", e.options.seconds}});
  return list;
}

nlohmann::json example_recording(const std::string& id) {
  for (const auto& e : examples()) {
    if (e.id != id) continue;
    const SyntheticEcg ecg = synthetic_ecg(e.options);
    nlohmann::json leads = nlohmann::json::object();
    const char* names[2] = {"MLII", "V1"};
    for (std::size_t l = 0; l < ecg.leads.size() && l < 2; ++l) {
      std::vector<double> rounded(ecg.leads[l].size());
      for (std::size_t t = 0; t < rounded.size(); ++t) rounded[t] = std::round(ecg.leads[l][t] * 1000) / 1000;
      leads[names[l]] = rounded;
    }
    return {{"name", e.id}, {"fs", e.options.fs}, {"units", "mV"}, {"leads", leads}};
  }
  throw ApiError(404, "not_found", "no example " + id);
}

}  // namespace heartwave::serve
