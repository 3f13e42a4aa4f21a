// The OpenAPI 3.0 document of heartwave serve. Schemas use only type,
// properties, required, items, enum, nullable, oneOf and $ref, and the
// tests check the live responses against them (tests/serve).
#include <map>

#include "heartwave/core/version.hpp"
#include "heartwave/serve/service.hpp"

namespace heartwave::serve {

namespace {

using nlohmann::json;

json with(json a, const json& b) {
  a.update(b);
  return a;
}

json ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }
json array_of(json items) { return {{"type", "array"}, {"items", std::move(items)}}; }
json num() { return {{"type", "number"}}; }
json str() { return {{"type", "string"}}; }
json integer() { return {{"type", "integer"}}; }
json boolean() { return {{"type", "boolean"}}; }
json object(json props, std::vector<std::string> required) {
  json o = {{"type", "object"}, {"properties", std::move(props)}};
  if (!required.empty()) o["required"] = required;
  return o;
}

json error_responses(std::initializer_list<int> codes) {
  static const std::map<int, std::string> what = {
      {400, "Malformed JSON"},
      {401, "Missing or wrong API key"},
      {413, "Body larger than --max-body"},
      {415, "Wrong content type"},
      {422, "Invalid content: the message names the item and field"},
      {503, "Not ready (models loading) or past --timeout"}};
  json out = json::object();
  for (int c : codes)
    out[std::to_string(c)] = {{"description", what.at(c)}, {"content", {{"application/json", {{"schema", ref("Error")}}}}}};
  return out;
}

json json_ok(const std::string& schema, const std::string& description) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", ref(schema)}}}}}};
}

json json_body(const std::string& schema) {
  return {{"required", true}, {"content", {{"application/json", {{"schema", ref(schema)}}}}}};
}

json schemas() {
  json s;
  s["Error"] = object({{"error", object({{"code", integer()}, {"type", str()}, {"message", str()}}, {"code", "type", "message"})}}, {"error"});
  s["Status"] = object({{"status", str()}}, {"status"});
  s["Build"] = object({{"version", str()}, {"git_commit", str()}, {"git_dirty", boolean()}}, {"version", "git_commit"});
  const json proba = {{"type", "array"}, {"items", num()}, {"minItems", 5}, {"maxItems", 5}};
  const json window = {{"type", "array"}, {"items", num()}, {"minItems", 187}, {"maxItems", 187},
                       {"description", "187 samples at 360 Hz in mV, R at index 93"}};
  s["Model"] = object({{"name", str()}, {"file", str()}, {"family", str()}, {"label_set", str()}, {"classes", array_of(str())},
                       {"fs", num()}, {"window", integer()}, {"r_index", integer()}, {"leads", integer()},
                       {"needs_beat_times", boolean()}, {"heartwave_version", str()}, {"metrics", {{"type", "object"}}},
                       {"preprocessing", {{"type", "object"}}}},
                      {"name", "file", "classes", "fs", "window", "leads", "needs_beat_times", "metrics", "preprocessing"});
  s["Models"] = object({{"models", array_of(ref("Model"))}, {"default", str()}, {"build", ref("Build")}}, {"models", "default"});
  s["PredictItem"] = object({{"signal", window}}, {"signal"});
  s["PredictRequest"] = {{"oneOf", {ref("PredictItem"), {{"type", "array"}, {"items", ref("PredictItem")}, {"maxItems", 200}}}}};
  s["PredictAnswer"] = object({{"class_index", integer()}, {"label", {{"type", "string"}, {"enum", {"N", "S", "V", "F", "Q"}}}},
                               {"probabilities", proba}, {"processing_time_ms", num()}, {"model", str()}, {"note", str()}},
                              {"class_index", "label", "probabilities", "processing_time_ms", "model"});
  s["PredictResponse"] = {{"oneOf", {ref("PredictAnswer"), array_of(ref("PredictAnswer"))}}};
  s["BeatIn"] = object({{"signal", window}, {"signal2", window}, {"r_sample", integer()}}, {"signal"});
  s["ClassifyRequest"] = object({{"beats", array_of(ref("BeatIn"))}, {"model", str()}}, {"beats"});
  s["BeatOut"] = object({{"class", str()}, {"class_index", integer()}, {"proba", proba}, {"model", str()}}, {"class", "class_index", "proba", "model"});
  s["ClassifyResponse"] = object({{"beats", array_of(ref("BeatOut"))}, {"model", str()}, {"timing", {{"type", "object"}}}}, {"beats", "model"});
  s["RecordJson"] = object({{"fs", num()}, {"units", {{"type", "string"}, {"enum", {"mV", "uV", "V"}}}},
                            {"leads", {{"type", "object"}, {"additionalProperties", array_of(num())}}}, {"name", str()}},
                           {"fs", "leads"});
  s["RecordUpload"] = object({{"file", array_of({{"type", "string"}, {"format", "binary"}})}, {"fs", num()}}, {"file"});
  s["AnalyzedBeat"] = object({{"sample", integer()}, {"time", num()}, {"class", str()},
                              {"proba", {{"type", "array"}, {"items", num()}, {"nullable", true}}}, {"review", boolean()}, {"af", boolean()}},
                             {"sample", "time", "class", "proba", "review", "af"});
  s["Episode"] = object({{"type", str()}, {"start", integer()}, {"end", integer()}, {"start_time", num()}, {"duration_s", num()},
                         {"beats", integer()}, {"rate_bpm", num()}},
                        {"type", "start", "end", "start_time", "duration_s"});
  s["AnalyzeResponse"] = object({{"build", ref("Build")}, {"record", str()}, {"fs", num()}, {"num_samples", integer()}, {"duration_s", num()},
                                 {"leads", array_of(str())}, {"lead", str()}, {"second_lead", str()}, {"detector", str()},
                                 {"model", {{"type", "object"}}}, {"beats", array_of(ref("AnalyzedBeat"))},
                                 {"counts", {{"type", "object"}, {"additionalProperties", integer()}}},
                                 {"episodes", array_of(ref("Episode"))}, {"summary", {{"type", "object"}}},
                                 {"signal", {{"type", "object"}}}, {"timing", {{"type", "object"}}}},
                                {"build", "record", "fs", "num_samples", "beats", "counts", "episodes", "summary"});
  s["AnnotationsRequest"] = object({{"fs", num()}, {"beats", array_of(object({{"sample", integer()}, {"class", str()}}, {"sample", "class"}))}},
                                   {"fs", "beats"});
  s["Example"] = object({{"id", str()}, {"title", str()}, {"fs", num()}, {"seconds", num()}}, {"id", "title", "fs", "seconds"});
  s["Examples"] = object({{"examples", array_of(ref("Example"))}}, {"examples"});
  const json strings = {{"type", "object"}, {"additionalProperties", str()}};
  const json maybe_num = {{"type", "number"}, {"nullable", true}};
  s["Artifact"] = object({{"path", str()}, {"sha256", str()}, {"size", integer()}, {"kind", str()}}, {"path", "sha256", "size", "kind"});
  s["Run"] = object({{"id", str()}, {"experiment", str()}, {"status", {{"type", "string"}, {"enum", {"running", "finished", "failed"}}}},
                     {"start_ms", integer()}, {"end_ms", integer()}, {"git_commit", str()}, {"git_dirty", boolean()}, {"command", str()},
                     {"params", strings}, {"tags", strings}, {"metrics", {{"type", "object"}, {"additionalProperties", maybe_num}}},
                     {"host", str()}, {"pid", integer()}, {"artifacts", array_of(ref("Artifact"))}},
                    {"id", "experiment", "status", "start_ms", "end_ms", "git_commit", "git_dirty", "command", "params", "tags", "metrics"});
  s["Runs"] = object({{"store", {{"type", "string"}, {"nullable", true}}}, {"count", integer()}, {"experiments", array_of(str())},
                      {"runs", array_of(ref("Run"))}, {"build", ref("Build")}},
                     {"store", "count", "experiments", "runs"});
  s["RunDocument"] = object({{"run", ref("Run")},
                             {"curves", {{"type", "object"},
                                         {"additionalProperties", array_of({{"type", "array"}, {"items", maybe_num}, {"minItems", 2}, {"maxItems", 2}})},
                                         {"description", "every metric's points, [step, value], by step"}}},
                             {"build", ref("Build")}},
                            {"run", "curves"});
  return s;
}

}  // namespace

json openapi_document() {
  json paths;
  const auto auth = error_responses({401});
  paths["/health"]["get"] = {{"summary", "Liveness (never needs a key)"}, {"responses", {{"200", json_ok("Status", "Alive")}}}};
  paths["/ready"]["get"] = {{"summary", "Readiness: 503 until the models are loaded (never needs a key)"},
                            {"responses", {{"200", json_ok("Status", "Ready")}, {"503", error_responses({503})["503"]}}}};
  paths["/v1/models"]["get"] = {{"summary", "The loaded models: metrics, label set, preprocessing, version"},
                                {"responses", with(json{{"200", json_ok("Models", "The models")}}, error_responses({401, 503}))}};
  paths["/v1/examples"]["get"] = {{"summary", "The built-in example recordings (synthetic)"},
                                  {"responses", with(json{{"200", json_ok("Examples", "The examples")}}, auth)}};
  paths["/v1/examples/{id}"]["get"] = {
      {"summary", "One example recording, as a records:analyze JSON body"},
      {"parameters", {{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", str()}}}},
      {"responses", with(json{{"200", json_ok("RecordJson", "The recording")}, {"404", error_responses({422})["422"]}}, auth)}};
  paths["/predict"]["post"] = {
      {"summary", "The original project's API: 187-sample windows classified alone by the window-only model"},
      {"requestBody", json_body("PredictRequest")},
      {"responses", with(json{{"200", json_ok("PredictResponse", "A class per window")}}, error_responses({400, 401, 413, 415, 422, 503}))}};
  paths["/v1/beats:classify"]["post"] = {
      {"summary", "Classify beats: with r_sample they are one recording in order (RR and patient-relative features); without, alone"},
      {"requestBody", json_body("ClassifyRequest")},
      {"responses", with(json{{"200", json_ok("ClassifyResponse", "A class per beat")}}, error_responses({400, 401, 413, 415, 422, 503}))}};
  json analyze_body = {{"required", true},
                       {"content", {{"application/json", {{"schema", ref("RecordJson")}}}, {"multipart/form-data", {{"schema", ref("RecordUpload")}}}}}};
  json ok = json_ok("AnalyzeResponse", "Every beat, the rhythm episodes and the Holter summary");
  ok["content"]["application/octet-stream"] = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
  paths["/v1/records:analyze"]["post"] = {
      {"summary", "Analyse a raw recording: JSON samples, or an upload of a WFDB record (.hea + .dat), an EDF file or a CSV"},
      {"parameters",
       {{{"name", "signal"}, {"in", "query"}, {"schema", {{"type", "string"}, {"enum", {"0", "1"}}}}, {"description", "1: include the samples"}},
        {{"name", "format"}, {"in", "query"}, {"schema", {{"type", "string"}, {"enum", {"json", "wfdb"}}}},
         {"description", "wfdb: answer the WFDB annotation file (beats and rhythm)"}},
        {{"name", "model"}, {"in", "query"}, {"schema", str()}},
        {{"name", "lead"}, {"in", "query"}, {"schema", str()}}}},
      {"requestBody", analyze_body},
      {"responses", with(json{{"200", ok}}, error_responses({400, 401, 413, 415, 422, 503}))}};
  paths["/v1/annotations:wfdb"]["post"] = {
      {"summary", "WFDB annotation file (MIT format) of beats and classes, e.g. relabelled in the page"},
      {"requestBody", json_body("AnnotationsRequest")},
      {"responses", with(json{{"200", {{"description", "The annotation file"}, {"content", {{"application/octet-stream", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}}}}, error_responses({400, 401, 415, 422}))}};
  paths["/v1/runs"]["get"] = {
      {"summary", "Tracked runs (the Runs view): newest first, or sorted by a metric"},
      {"parameters",
       {{{"name", "experiment"}, {"in", "query"}, {"schema", str()}},
        {{"name", "filter"}, {"in", "query"}, {"schema", str()}, {"explode", true},
         {"description", "FIELD OP VALUE, e.g. accuracy>0.9, params.seed=42, status=finished; repeat for several"}},
        {{"name", "sort"}, {"in", "query"}, {"schema", str()}, {"description", "a metric, highest first; -metric lowest first"}},
        {{"name", "limit"}, {"in", "query"}, {"schema", integer()}}}},
      {"responses", with(json{{"200", json_ok("Runs", "The runs (store null: no tracking store)")}}, error_responses({401, 422, 503}))}};
  paths["/v1/runs/{id}"]["get"] = {
      {"summary", "One run with its artifacts and every metric's curve"},
      {"parameters", {{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", str()}, {"description", "run id or a unique prefix"}}}},
      {"responses", with(json{{"200", json_ok("RunDocument", "The run")}, {"404", error_responses({422})["422"]}}, error_responses({401, 422, 503}))}};
  paths["/metrics"]["get"] = {{"summary", "Prometheus metrics (text format 0.0.4), names prefixed heartwave_"},
                              {"responses", with(json{{"200", {{"description", "Metrics"}, {"content", {{"text/plain", {{"schema", str()}}}}}}}}, auth)}};
  paths["/openapi.json"]["get"] = {
      {"summary", "This document"},
      {"responses", {{"200", {{"description", "OpenAPI 3 document"}, {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}}};
  paths["/docs"]["get"] = {{"summary", "Swagger UI, served locally"}, {"responses", {{"200", {{"description", "HTML page"}}}}}};
  paths["/"]["get"] = {{"summary", "The web page"}, {"responses", {{"200", {{"description", "HTML page"}}}}}};
  const auto build = build_info();
  return {{"openapi", "3.0.3"},
          {"info", {{"title", "heartwave"}, {"version", build.value("version", "")},
                    {"description", "ECG analysis: beats found and classified in raw recordings, rhythm episodes and the Holter summary"}}},
          {"servers", {{{"url", "/"}}}},
          {"components", {{"schemas", schemas()}, {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
          {"security", {{{"bearer", json::array()}}}},
          {"paths", paths}};
}

}  // namespace heartwave::serve
