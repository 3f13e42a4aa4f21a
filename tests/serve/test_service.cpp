// The service core without a socket: every route with the shipped models,
// every error of the issue's list answered with its status, type and the
// item and field named, the API key, CORS, the body limit, the metrics, and
// each answer checked against the OpenAPI document's schema for its route
// and status.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "heartwave/core/error.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/serve/service.hpp"
#include "heartwave/track/store.hpp"
#include "openapi_check.hpp"
#include "support.hpp"

using namespace heartwave;
using namespace heartwave::serve;
using nlohmann::json;

namespace {

const std::filesystem::path kModels = std::filesystem::path(HEARTWAVE_SOURCE_DIR) / "models";

ServiceOptions shipped_options() {
  ServiceOptions o;
  for (const char* f : {"default.hwm", "one-lead.hwm", "window-only.hwm"}) o.models.push_back(kModels / f);
  return o;
}

Service& shipped() {
  static Service* s = [] {
    auto* svc = new Service(shipped_options());
    svc->load();
    return svc;
  }();
  return *s;
}

const json& doc() {
  static const json d = openapi_document();
  return d;
}

Request make(const std::string& method, const std::string& path, std::string body = "", const std::string& type = "application/json") {
  Request r;
  r.method = method;
  const auto q = path.find('?');
  r.path = path.substr(0, q);
  if (q != std::string::npos) {
    std::string qs = path.substr(q + 1);
    for (std::size_t at = 0; at <= qs.size();) {
      const std::size_t amp = std::min(qs.find('&', at), qs.size());
      const std::string kv = qs.substr(at, amp - at);
      const auto eq = kv.find('=');
      r.query.emplace(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
      at = amp + 1;
    }
  }
  r.body = std::move(body);
  if (!type.empty()) r.headers["content-type"] = type;
  return r;
}

// The OpenAPI document path of a request path.
std::string doc_path(const std::string& path) {
  if (path.rfind("/v1/examples/", 0) == 0) return "/v1/examples/{id}";
  if (path.rfind("/v1/runs/", 0) == 0) return "/v1/runs/{id}";
  return path;
}

// Answers `req` and checks the answer against the document: the route and
// status are declared, and a JSON answer fits the declared schema.
Response call(Service& s, const Request& req) {
  Response res = s.handle(req);
  std::string method = req.method;
  std::transform(method.begin(), method.end(), method.begin(), ::tolower);
  const std::string p = doc_path(req.path);
  EXPECT_TRUE(doc()["paths"].contains(p) && doc()["paths"][p].contains(method)) << req.method << " " << p << " is not in the document";
  EXPECT_TRUE(doc()["paths"][p][method]["responses"].contains(std::to_string(res.status)))
      << req.method << " " << p << " answered " << res.status << ", which the document does not declare: " << res.body.substr(0, 300);
  if (res.content_type == "application/json") {
    const json schema = heartwave::test::response_schema(doc(), p, method, res.status);
    EXPECT_FALSE(schema.is_null()) << p << " " << res.status;
    if (!schema.is_null()) EXPECT_EQ(heartwave::test::schema_mismatch(doc(), schema, json::parse(res.body)), "") << p << " " << res.status;
  }
  return res;
}

Response post(const std::string& path, const json& body) { return call(shipped(), make("POST", path, body.dump())); }

// The error's status, type and that its message names `needle`.
void expect_error(const Response& r, int status, const std::string& type, const std::string& needle) {
  EXPECT_EQ(r.status, status) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], status);
  EXPECT_EQ(j["error"]["type"], type) << r.body;
  EXPECT_NE(j["error"]["message"].get<std::string>().find(needle), std::string::npos) << r.body;
}

json beat(double scale = 1) {
  std::vector<double> x(187);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = scale * std::exp(-std::pow((static_cast<double>(i) - 93) / 6.0, 2));
  return x;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

Request upload(std::vector<Part> parts) {
  Request r = make("POST", "/v1/records:analyze", "", "multipart/form-data; boundary=x");
  r.multipart = true;
  r.parts = std::move(parts);
  return r;
}

}  // namespace

TEST(Service, ReadyOnlyOnceTheModelsAreLoaded) {
  Service s(shipped_options());
  EXPECT_EQ(call(s, make("GET", "/health")).status, 200);
  expect_error(call(s, make("GET", "/ready")), 503, "not_ready", "loading");
  expect_error(call(s, make("POST", "/predict", json{{"signal", beat()}}.dump())), 503, "not_ready", "loading");
  s.load();
  EXPECT_EQ(call(s, make("GET", "/ready")).status, 200);
  EXPECT_EQ(call(s, make("POST", "/predict", json{{"signal", beat()}}.dump())).status, 200);
  ServiceOptions bad;
  bad.models = {kModels / "missing.hwm"};
  EXPECT_THROW(Service(bad).load(), heartwave::Error);
}

TEST(Service, ModelsAreListedWithTheirMetricsAndPreprocessing) {
  const Response r = call(shipped(), make("GET", "/v1/models"));
  ASSERT_EQ(r.status, 200);
  const json j = json::parse(r.body);
  ASSERT_EQ(j["models"].size(), 3u);
  EXPECT_EQ(j["default"], "default");
  EXPECT_EQ(j["models"][2]["name"], "window-only");
  EXPECT_FALSE(j["models"][2]["needs_beat_times"].get<bool>());
  EXPECT_TRUE(j["models"][0]["needs_beat_times"].get<bool>());
  EXPECT_EQ(j["models"][0]["leads"], 2);
  EXPECT_TRUE(j["models"][0]["metrics"].contains("evaluation"));
  EXPECT_EQ(j["models"][0]["window"], 187);
}

// The original project's API: one window or a list, answered alike, by the
// window-only model, and saying so.
TEST(Service, PredictClassifiesLoneWindowsWithTheWindowOnlyModel) {
  const Response one = post("/predict", {{"signal", beat()}});
  ASSERT_EQ(one.status, 200) << one.body;
  const json a = json::parse(one.body);
  EXPECT_EQ(a["model"], "window-only");
  double sum = 0;
  for (double p : a["probabilities"]) sum += p;
  EXPECT_NEAR(sum, 1.0, 1e-4);
  const Response list = post("/predict", json::array({{{"signal", beat()}}, {{"signal", beat(-1)}}}));
  ASSERT_EQ(list.status, 200);
  const json b = json::parse(list.body);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0]["probabilities"], a["probabilities"]);  // the same window, the same answer
}

TEST(Service, PredictErrorsNameTheItemAndField) {
  expect_error(post("/predict", {{"signal", std::vector<double>(186, 0.1)}}), 422, "invalid_content", "186 samples, 187 expected");
  expect_error(post("/predict", json::array({{{"signal", beat()}}, {{"sig", beat()}}})), 422, "invalid_content", "[1].signal");
  expect_error(post("/predict", json::array()), 422, "invalid_content", "empty");
  expect_error(post("/predict", std::vector<json>(201, {{"signal", beat()}})), 422, "invalid_content", "at most 200");
  expect_error(post("/predict", {{"signal", json::array()}}), 422, "invalid_content", "empty");
  json strings = {{"signal", beat()}};
  strings["signal"][5] = "x";
  expect_error(post("/predict", strings), 422, "invalid_content", "signal[5]");
  expect_error(call(shipped(), make("POST", "/predict", R"({"signal": [NaN, 1]})")), 422, "invalid_content", "NaN");
  expect_error(call(shipped(), make("POST", "/predict", R"({"signal": [1, -Infinity]})")), 422, "invalid_content", "Infinity");
  std::string huge = json{{"signal", beat()}}.dump();
  huge.replace(huge.find('[') + 1, 1, "1e999,");
  expect_error(call(shipped(), make("POST", "/predict", huge)), 422, "invalid_content", "finite");
  expect_error(call(shipped(), make("POST", "/predict", "{\"signal\": [1, 2")), 400, "malformed_json", "not valid JSON");
  // Bytes that are not UTF-8, echoed in the message, still give a JSON error (found by fuzz_request).
  expect_error(call(shipped(), make("POST", "/predict", "{\"signal\": 3\xcd\xcf}")), 400, "malformed_json", "not valid JSON");
  expect_error(call(shipped(), make("POST", "/predict", json{{"signal", beat()}}.dump(), "text/plain")), 415, "unsupported_media_type",
               "text/plain");
  expect_error(call(shipped(), make("POST", "/predict", json{{"signal", beat()}}.dump(), "")), 415, "unsupported_media_type", "no Content-Type");
}

// Untimed beats go to the window-only model; timed two-lead beats are one
// recording, classified by the default model with their RR features, and
// timed one-lead beats by the one-lead model.
TEST(Service, ClassifyPicksTheModelTheBeatsAllow) {
  json alone = {{"beats", {{{"signal", beat()}}, {{"signal", beat(0.5)}}}}};
  const json a = json::parse(post("/v1/beats:classify", alone).body);
  EXPECT_EQ(a["model"], "window-only");
  ASSERT_EQ(a["beats"].size(), 2u);
  json timed = {{"beats", json::array()}};
  for (int i = 0; i < 12; ++i) timed["beats"].push_back({{"signal", beat()}, {"signal2", beat(-0.3)}, {"r_sample", 300 + 300 * i}});
  const Response r = post("/v1/beats:classify", timed);
  ASSERT_EQ(r.status, 200) << r.body;
  const json t = json::parse(r.body);
  EXPECT_EQ(t["model"], "default");
  EXPECT_EQ(t["beats"].size(), 12u);
  for (auto& b : timed["beats"]) b.erase("signal2");
  EXPECT_EQ(json::parse(post("/v1/beats:classify", timed).body)["model"], "one-lead");
  // A named model that cannot read untimed beats says why.
  alone["model"] = "default";
  EXPECT_EQ(json::parse(post("/v1/beats:classify", alone).body)["model"], "window-only");  // "default" = the right default
  alone["model"] = "one-lead";
  expect_error(post("/v1/beats:classify", alone), 422, "invalid_content", "r_sample");
  alone["model"] = "nope";
  expect_error(post("/v1/beats:classify", alone), 422, "invalid_content", "window-only");
}

TEST(Service, ClassifyErrorsNameTheItemAndField) {
  expect_error(post("/v1/beats:classify", {{"beats", json::array()}}), 422, "invalid_content", "beats: is empty");
  expect_error(post("/v1/beats:classify", {{"nope", 1}}), 422, "invalid_content", "beats: missing");
  json mixed = {{"beats", {{{"signal", beat()}, {"r_sample", 10}}, {{"signal", beat()}}}}};
  expect_error(post("/v1/beats:classify", mixed), 422, "invalid_content", "beats[1].r_sample");
  json order = {{"beats", {{{"signal", beat()}, {"r_sample", 1000}}, {{"signal", beat()}, {"r_sample", 900}}}}};
  expect_error(post("/v1/beats:classify", order), 422, "invalid_content", "beats[1].r_sample: 900 is not after");
  json short2 = {{"beats", {{{"signal", beat()}, {"signal2", std::vector<double>(10, 0)}, {"r_sample", 500}}}}};
  expect_error(post("/v1/beats:classify", short2), 422, "invalid_content", "beats[0].signal2: 10 samples");
  expect_error(post("/v1/beats:classify", {{"beats", std::vector<json>(20001, {{"signal", {0}}})}}), 422, "invalid_content", "at most 20000");
}

// A JSON recording (the built-in synthetic example, whose PVCs are known)
// and an upload of MIT-BIH record 100: beats, episodes and the summary.
TEST(Service, AnalyzesARecordingGivenAsJsonOrUploaded) {
  const Response ex = call(shipped(), make("GET", "/v1/examples"));
  ASSERT_EQ(ex.status, 200);
  const std::string id = json::parse(ex.body)["examples"][0]["id"];
  const Response rec = call(shipped(), make("GET", "/v1/examples/" + id));
  ASSERT_EQ(rec.status, 200);
  const Response a = call(shipped(), make("POST", "/v1/records:analyze?signal=1", rec.body));
  ASSERT_EQ(a.status, 200) << a.body.substr(0, 300);
  const json j = json::parse(a.body);
  EXPECT_NEAR(static_cast<double>(j["beats"].size()), 350.0, 40.0);  // 5 min at 70 bpm, PVCs with compensatory pauses
  EXPECT_GT(j["counts"]["V"].get<int>(), 15);
  EXPECT_EQ(j["signal"]["leads"]["MLII"].size(), 108000u);
  EXPECT_EQ(j["summary"]["beats"]["counts"], j["counts"]);
  const auto mitdb = heartwave::test::mitdb_dir();
  const Response up = call(shipped(), upload({{"file", "100.hea", "text/plain", slurp(mitdb / "100.hea")},
                                              {"file", "100.dat", "application/octet-stream", slurp(mitdb / "100.dat")}}));
  ASSERT_EQ(up.status, 200) << up.body.substr(0, 300);
  const json u = json::parse(up.body);
  EXPECT_EQ(u["record"], "100");
  EXPECT_NEAR(static_cast<double>(u["beats"].size()), 2273.0, 5.0);  // 2,273 reference beats
  EXPECT_EQ(u["lead"], "MLII");
  EXPECT_FALSE(u.contains("signal"));
  // ?format=wfdb: the annotation file, beats and rhythm.
  Request w = upload({{"file", "100.hea", "", slurp(mitdb / "100.hea")}, {"file", "100.dat", "", slurp(mitdb / "100.dat")}});
  w.query.emplace("format", "wfdb");
  const Response f = shipped().handle(w);
  ASSERT_EQ(f.status, 200);
  EXPECT_EQ(f.content_type, "application/octet-stream");
  const auto anns = parse_annotations(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(f.body.data()), f.body.size()), "answer");
  std::size_t beats = 0;
  for (const auto& x : anns) beats += x.code != 28;
  EXPECT_EQ(beats, u["beats"].size());
  // CSV upload with its rate.
  std::string csv = "MLII,V5\n";
  const json example = json::parse(rec.body);
  for (const auto& v : example["leads"]["MLII"]) csv += std::to_string(v.get<double>()) + ",0\n";
  const Response c = call(shipped(), upload({{"file", "ex.csv", "text/csv", csv}, {"fs", "", "", "360"}}));
  ASSERT_EQ(c.status, 200) << c.body.substr(0, 300);
  EXPECT_EQ(json::parse(c.body)["beats"].size(), j["beats"].size());
}

TEST(Service, AnalyzeErrorsNameWhatIsWrong) {
  const auto mitdb = heartwave::test::mitdb_dir();
  const std::string hea = slurp(mitdb / "100.hea"), dat = slurp(mitdb / "100.dat");
  expect_error(call(shipped(), upload({{"file", "100.hea", "", hea}, {"file", "100.dat", "", dat.substr(0, dat.size() / 2)}})), 422,
               "invalid_content", "truncated");
  std::string corrupt = dat;
  corrupt[1000] ^= 0x55;  // the header's checksum no longer matches
  expect_error(call(shipped(), upload({{"file", "100.hea", "", hea}, {"file", "100.dat", "", corrupt}})), 422, "invalid_content", "checksum");
  expect_error(call(shipped(), upload({{"file", "100.hea", "", hea}})), 422, "invalid_content", "100.dat");
  expect_error(call(shipped(), upload({{"file", "100.hea", "", "garbage header\n"}, {"file", "100.dat", "", dat}})), 422, "invalid_content",
               "100.hea");
  expect_error(call(shipped(), upload({{"file", "x.mp3", "", "abc"}})), 415, "unsupported_media_type", "x.mp3");
  expect_error(call(shipped(), upload({{"other", "x", "", "abc"}})), 422, "invalid_content", "no part named 'file'");
  expect_error(call(shipped(), upload({{"file", "a.edf", "", "0       not an edf file at all"}})), 422, "invalid_content", "");
  const json leads = {{"MLII", std::vector<double>(3600, 0.1)}};
  expect_error(post("/v1/records:analyze", {{"fs", 1e7}, {"leads", leads}}), 422, "invalid_content", "sampling rate");
  expect_error(post("/v1/records:analyze", {{"fs", 0}, {"leads", leads}}), 422, "invalid_content", "sampling rate");
  expect_error(post("/v1/records:analyze", {{"leads", leads}}), 422, "invalid_content", "fs: missing");
  expect_error(post("/v1/records:analyze", {{"fs", 360}, {"leads", json::object()}}), 422, "invalid_content", "at least one lead");
  expect_error(post("/v1/records:analyze", {{"fs", 360}, {"leads", {{"MLII", json::array()}}}}), 422, "invalid_content", "leads.MLII: is empty");
  expect_error(post("/v1/records:analyze", {{"fs", 360}, {"leads", {{"MLII", std::vector<double>(3600, 0)}, {"V1", std::vector<double>(10, 0)}}}}),
               422, "invalid_content", "leads.V1: 10 samples");
  expect_error(post("/v1/records:analyze", {{"fs", 360}, {"units", "kV"}, {"leads", leads}}), 422, "invalid_content", "units");
  expect_error(post("/v1/records:analyze", {{"fs", 360}, {"leads", {{"MLII", {0.1, "x", 0.2}}}}}), 422, "invalid_content", "leads.MLII[1]");
  expect_error(call(shipped(), make("POST", "/v1/records:analyze", R"({"fs": 360, "leads": {"MLII": [0.1, NaN]}})")), 422, "invalid_content", "NaN");
  expect_error(post("/v1/records:analyze", {{"fs", 360}, {"leads", {{"MLII", std::vector<double>(100, 0)}}}}), 422, "invalid_content", "at least 2 s");
}

TEST(Service, AnnotationsOfRelabelledBeats) {
  const Response r = post("/v1/annotations:wfdb", {{"fs", 360}, {"beats", {{{"sample", 100}, {"class", "N"}}, {{"sample", 400}, {"class", "V"}}}}});
  ASSERT_EQ(r.status, 200);
  const auto anns = parse_annotations(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(r.body.data()), r.body.size()), "x");
  ASSERT_EQ(anns.size(), 2u);
  EXPECT_EQ(anns[1].time, 400);
  EXPECT_EQ(anns[1].code, 5);
  expect_error(post("/v1/annotations:wfdb", {{"fs", 360}, {"beats", {{{"sample", 100}, {"class", "X"}}}}}), 422, "invalid_content", "beats[0].class");
  expect_error(post("/v1/annotations:wfdb", {{"fs", 360}, {"beats", {{{"sample", 100}, {"class", "N"}}, {{"sample", 50}, {"class", "N"}}}}}), 422,
               "invalid_content", "beats[1].sample");
}

TEST(Service, ApiKeyCorsAndBodyLimit) {
  ServiceOptions o = shipped_options();
  o.api_key = "s3cret";
  o.cors_origins = {"http://localhost:5173"};
  o.max_body_bytes = 8192;
  Service s(o);
  s.load();
  EXPECT_EQ(call(s, make("GET", "/health")).status, 200);  // never needs the key
  EXPECT_EQ(s.handle(make("GET", "/")).status, 404);       // the page needs no key (this service has none: 404, not 401)
  EXPECT_EQ(call(s, make("GET", "/ready")).status, 200);
  expect_error(call(s, make("GET", "/v1/models")), 401, "unauthorized", "API key");
  Request wrong = make("GET", "/v1/models");
  wrong.headers["authorization"] = "Bearer s3cre";
  expect_error(call(s, wrong), 401, "unauthorized", "wrong");
  Request right = make("POST", "/predict", json{{"signal", beat()}}.dump());
  right.headers["authorization"] = "Bearer s3cret";
  EXPECT_EQ(call(s, right).status, 200);
  right.body = json{{"signal", std::vector<double>(2000, 0.123456789)}}.dump();
  expect_error(call(s, right), 413, "payload_too_large", "limit");
  Request pre = make("OPTIONS", "/predict");
  pre.headers["origin"] = "http://localhost:5173";
  const Response p = s.handle(pre);
  EXPECT_EQ(p.status, 204);
  EXPECT_EQ(p.headers.at("Access-Control-Allow-Origin"), "http://localhost:5173");
  pre.headers["origin"] = "http://evil.example";
  EXPECT_EQ(s.handle(pre).status, 403);
  // Without listed origins, no CORS header at all.
  Request plain = make("GET", "/health");
  plain.headers["origin"] = "http://localhost:5173";
  EXPECT_EQ(shipped().handle(plain).headers.count("Access-Control-Allow-Origin"), 0u);
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

TEST(Service, UnknownRoutesAndMethods) {
  expect_error(shipped().handle(make("GET", "/nope")), 404, "not_found", "/nope");
  expect_error(shipped().handle(make("GET", "/predict")), 405, "method_not_allowed", "GET");
  expect_error(shipped().handle(make("GET", "/../../etc/passwd")), 404, "not_found", "");
}

TEST(Service, MetricsCountRequestsBeatsAndSamples) {
  Service s(shipped_options());
  s.load();
  call(s, make("POST", "/predict", json{{"signal", beat()}}.dump()));
  call(s, make("POST", "/predict", "{"));
  const Response m = call(s, make("GET", "/metrics"));
  EXPECT_EQ(m.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string t = m.body;
  EXPECT_NE(t.find("heartwave_http_requests_total{route=\"/predict\",method=\"POST\",status=\"200\"} 1"), std::string::npos) << t;
  EXPECT_NE(t.find("heartwave_http_requests_total{route=\"/predict\",method=\"POST\",status=\"400\"} 1"), std::string::npos);
  EXPECT_NE(t.find("heartwave_http_request_duration_seconds_count{route=\"/predict\"} 2"), std::string::npos);
  EXPECT_NE(t.find("heartwave_http_request_duration_seconds_bucket{route=\"/predict\",le=\"+Inf\"} 2"), std::string::npos);
  EXPECT_NE(t.find("heartwave_beats_classified_total{class=\"N\"}"), std::string::npos);
  EXPECT_NE(t.find("heartwave_model_load_seconds "), std::string::npos);
  EXPECT_NE(t.find("heartwave_http_requests_in_flight 1"), std::string::npos);  // the /metrics request itself
  // Every line is a comment or `name{labels} value`.
  std::istringstream in(t);
  for (std::string line; std::getline(in, line);)
    if (line[0] != '#') EXPECT_EQ(line.rfind("heartwave_", 0), 0u) << line;
}

TEST(Service, TheOpenApiDocumentDescribesEveryRoute) {
  const json d = json::parse(call(shipped(), make("GET", "/openapi.json")).body);
  EXPECT_EQ(d["openapi"].get<std::string>().substr(0, 2), "3.");
  for (const auto& [method, path] : shipped().router().routes()) {
    std::string m = method;
    std::transform(m.begin(), m.end(), m.begin(), ::tolower);
    if (path.rfind("/assets/", 0) == 0 || path == "/index.html" || path.rfind("/docs/", 0) == 0) continue;
    EXPECT_TRUE(d["paths"].contains(doc_path(path)) && d["paths"][doc_path(path)].contains(m)) << method << " " << path;
  }
  // Every $ref resolves.
  std::function<void(const json&)> refs = [&](const json& j) {
    if (j.is_object()) {
      if (j.contains("$ref")) EXPECT_EQ(heartwave::test::schema_mismatch(d, j, json(nullptr)).find("unresolvable"), std::string::npos);
      for (const auto& [k, v] : j.items()) refs(v);
    } else if (j.is_array()) {
      for (const auto& v : j) refs(v);
    }
  };
  refs(d);
}

// The Runs routes over a real tracking store: none yet (store null), then
// the runs once the file exists, filtered and sorted like `runs list`, one
// run with its curves; bad filters, limits and ids are typed errors.
TEST(Service, RunsRoutesReadTheTrackingStore) {
  heartwave::test::TempDir dir;
  ServiceOptions o;
  o.tracking = (dir / "t.db").string();
  Service s(o);
  Response r = call(s, make("GET", "/v1/runs"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json::parse(r.body)["store"].is_null());
  EXPECT_FALSE(std::filesystem::exists(dir / "t.db")) << "listing must not create the store";
  std::vector<std::string> ids;
  {
    heartwave::TrackingStore t(dir / "t.db");
    for (int i = 0; i < 4; ++i) {
      ids.push_back(t.start_run(i < 3 ? "train" : "tune", "heartwave train", "abc", false));
      t.log_params(ids.back(), {{"eta", std::to_string(i)}, {"seed", "1"}});
      std::vector<heartwave::MetricPoint> curve;
      for (int step = 0; step < 10; ++step) curve.push_back({"valid.mlogloss", 1.0 / (step + 1 + i), step, 0});
      curve.push_back({"accuracy", 0.9 + 0.01 * i, 0, 0});
      t.log_metrics(ids.back(), curve);
      t.end_run(ids.back(), heartwave::RunStatus::finished);
    }
  }
  r = call(s, make("GET", "/v1/runs"));
  json j = json::parse(r.body);
  EXPECT_EQ(j["store"], o.tracking);
  EXPECT_EQ(j["count"], 4);
  EXPECT_EQ(j["experiments"], json({"train", "tune"}));
  j = json::parse(call(s, make("GET", "/v1/runs?experiment=train&sort=-accuracy")).body);
  ASSERT_EQ(j["runs"].size(), 3u);
  EXPECT_EQ(j["runs"][0]["id"], ids[0]);
  j = json::parse(call(s, make("GET", "/v1/runs?filter=accuracy>0.915&filter=params.seed=1&limit=1&sort=accuracy")).body);
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["id"], ids[3]);
  EXPECT_EQ(j["runs"][0]["params"]["eta"], "3");
  const Response one = call(s, make("GET", "/v1/runs/" + ids[1].substr(0, 10)));
  ASSERT_EQ(one.status, 200) << one.body;
  j = json::parse(one.body);
  EXPECT_EQ(j["run"]["id"], ids[1]);
  ASSERT_EQ(j["curves"]["valid.mlogloss"].size(), 10u);
  EXPECT_DOUBLE_EQ(j["curves"]["valid.mlogloss"][9][1].get<double>(), 1.0 / 11);
  expect_error(call(s, make("GET", "/v1/runs?filter=accuracy")), 422, "invalid_filter", "FIELD OP VALUE");
  expect_error(call(s, make("GET", "/v1/runs?limit=0")), 422, "invalid_content", "limit");
  expect_error(call(s, make("GET", "/v1/runs?limit=5x")), 422, "invalid_content", "limit");
  expect_error(call(s, make("GET", "/v1/runs/ffffffffffff")), 404, "not_found", "no run");
  expect_error(call(s, make("GET", "/v1/runs/..%2Fetc")), 404, "not_found", "hexadecimal");
  expect_error(call(s, make("GET", "/v1/runs/")), 404, "not_found", "hexadecimal");
}
