// POST /predict (the original project's API) and POST /v1/beats:classify.
#include <chrono>

#include "heartwave/beats/label_sets.hpp"
#include "service_model.hpp"

namespace heartwave::serve {

namespace {

constexpr const char* kWindowOnly = "window-only";
constexpr const char* kLoneNote =
    "a lone 187-sample window has no neighbours, so no RR or patient-relative feature can be computed: it is classified "
    "by the window-only model, which reads nothing but the beat";

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Classified {
  std::vector<std::int32_t> cls;
  std::vector<float> proba;  // beats x 5
};

Classified classify(const BeatPipeline& pipe, std::span<const double> windows, std::span<const std::int64_t> r,
                    std::span<const double> windows2) {
  const auto res = pipe.classify_windows("request", windows, r, windows2);
  Classified c;
  c.cls = pipe.decide(res, true, !r.empty());
  c.proba = res.proba;
  return c;
}

nlohmann::json proba_of(const Classified& c, std::size_t i) {
  return std::vector<float>(c.proba.begin() + static_cast<std::ptrdiff_t>(5 * i), c.proba.begin() + static_cast<std::ptrdiff_t>(5 * i + 5));
}

}  // namespace

Response Service::predict_route(const Request& req) {
  if (!ready()) throw ApiError(503, "not_ready", "the models are still loading");
  const auto t0 = std::chrono::steady_clock::now();
  const nlohmann::json body = json_body(req);
  const Model* m = find_model(kWindowOnly);
  if (!m) throw ApiError(503, "not_ready", "/predict needs the window-only model (models/window-only.hwm), which is not loaded");
  const bool list = body.is_array();
  if (!list && !body.is_object()) throw ApiError(422, "invalid_content", "body: must be {\"signal\": [...]} or a list of them");
  const std::size_t n = list ? body.size() : 1;
  if (n == 0) throw ApiError(422, "invalid_content", "body: the list is empty");
  if (n > options_.max_predict)
    throw ApiError(422, "invalid_content", "body: " + std::to_string(n) + " beats; at most " + std::to_string(options_.max_predict));
  std::vector<double> windows;
  windows.reserve(n * m->window);
  for (std::size_t i = 0; i < n; ++i) {
    const nlohmann::json& item = list ? body[i] : body;
    const std::string where = list ? "[" + std::to_string(i) + "]" : std::string("body");
    if (!item.is_object() || !item.contains("signal")) throw ApiError(422, "invalid_content", where + ".signal: missing");
    const auto x = finite_numbers(item["signal"], where + ".signal", m->window);
    windows.insert(windows.end(), x.begin(), x.end());
  }
  const Classified c = classify(*m->pipe, windows, {}, {});
  std::array<std::int64_t, 5> counts{};
  const double ms = 1000 * since(t0) / static_cast<double>(n);
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < n; ++i) {
    ++counts[static_cast<std::size_t>(c.cls[i])];
    out.push_back({{"class_index", c.cls[i]},
                   {"label", std::string(class_name(c.cls[i]))},
                   {"probabilities", proba_of(c, i)},
                   {"processing_time_ms", ms},
                   {"model", m->name},
                   {"note", kLoneNote}});
  }
  metrics_.beats(counts);
  return Response::json(200, (list ? out : out[0]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response Service::classify_route(const Request& req) {
  if (!ready()) throw ApiError(503, "not_ready", "the models are still loading");
  const auto t0 = std::chrono::steady_clock::now();
  const nlohmann::json body = json_body(req);
  if (!body.is_object() || !body.contains("beats")) throw ApiError(422, "invalid_content", "beats: missing");
  const nlohmann::json& beats = body["beats"];
  if (!beats.is_array()) throw ApiError(422, "invalid_content", "beats: must be an array");
  if (beats.empty()) throw ApiError(422, "invalid_content", "beats: is empty");
  if (beats.size() > options_.max_beats)
    throw ApiError(422, "invalid_content",
                   "beats: " + std::to_string(beats.size()) + " beats; at most " + std::to_string(options_.max_beats) + " per request");
  const std::size_t n = beats.size();
  // Timed beats are one recording; untimed ones are classified alone.
  const bool timed = beats[0].is_object() && beats[0].contains("r_sample");
  bool second = beats[0].is_object() && beats[0].contains("signal2");
  for (std::size_t i = 0; i < n; ++i) {
    const std::string where = "beats[" + std::to_string(i) + "]";
    if (!beats[i].is_object()) throw ApiError(422, "invalid_content", where + ": must be an object");
    if (beats[i].contains("r_sample") != timed)
      throw ApiError(422, "invalid_content", where + ".r_sample: give it on every beat (one recording) or on none (independent beats)");
    second = second && beats[i].contains("signal2");
  }
  std::string name = body.value("model", std::string());
  if (name.empty() || name == "default") name = timed ? (second ? models_.front()->name : "one-lead") : kWindowOnly;
  const Model* found = find_model(name);
  if (!found && timed && !second) found = find_model("");  // no one-lead model loaded: the default
  if (!found) model(name);                               // ApiError naming the loaded ones
  const Model& m = *found;
  if (!timed && m.pipe->needs_beat_times())
    throw ApiError(422, "invalid_content",
                   "model: " + m.name + " needs each beat's r_sample (RR and patient-relative features); give r_sample, or use window-only");
  if (m.two_lead && !second)
    throw ApiError(422, "invalid_content", "model: " + m.name + " reads two leads; give signal2 on every beat");
  std::vector<double> w, w2;
  std::vector<std::int64_t> r;
  w.reserve(n * m.window);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string where = "beats[" + std::to_string(i) + "]";
    const nlohmann::json& b = beats[i];
    if (!b.contains("signal")) throw ApiError(422, "invalid_content", where + ".signal: missing");
    const auto x = finite_numbers(b["signal"], where + ".signal", m.window);
    w.insert(w.end(), x.begin(), x.end());
    if (m.two_lead) {
      const auto y = finite_numbers(b["signal2"], where + ".signal2", m.window);
      w2.insert(w2.end(), y.begin(), y.end());
    }
    if (timed) {
      if (!b["r_sample"].is_number_integer()) throw ApiError(422, "invalid_content", where + ".r_sample: must be an integer");
      const auto s = b["r_sample"].get<std::int64_t>();
      if (s < 0) throw ApiError(422, "invalid_content", where + ".r_sample: negative");
      if (!r.empty() && s <= r.back())
        throw ApiError(422, "invalid_content", where + ".r_sample: " + std::to_string(s) + " is not after the beat before (" +
                                                   std::to_string(r.back()) + "); timed beats must be in order");
      r.push_back(s);
    }
  }
  check_deadline(req, "reading the beats");
  const Classified c = classify(*m.pipe, w, r, w2);
  std::array<std::int64_t, 5> counts{};
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < n; ++i) {
    ++counts[static_cast<std::size_t>(c.cls[i])];
    out.push_back({{"class", std::string(class_name(c.cls[i]))}, {"class_index", c.cls[i]}, {"proba", proba_of(c, i)}, {"model", m.name}});
  }
  metrics_.beats(counts);
  const nlohmann::json answer = {{"beats", out}, {"model", m.name}, {"timing", {{"seconds", since(t0)}}}};
  return Response::json(200, answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace heartwave::serve
