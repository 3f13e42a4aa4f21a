// POST /v1/records:analyze (JSON or a multipart upload of WFDB, EDF or
// CSV), POST /v1/annotations:wfdb, GET /v1/examples.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include "heartwave/beats/label_sets.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/holter/summary.hpp"
#include "heartwave/infer/analyze.hpp"
#include "heartwave/io/csv_signal.hpp"
#include "heartwave/io/recording_file.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "service_model.hpp"

namespace heartwave::serve {

namespace {

constexpr double kMinFs = 20, kMaxFs = 20000;

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void check_fs(double fs, const std::string& where) {
  if (!std::isfinite(fs) || fs < kMinFs || fs > kMaxFs)
    throw ApiError(422, "invalid_content", where + ": sampling rate " + std::to_string(fs) + " Hz is outside 20 to 20,000 Hz");
}

std::string extension(const std::string& filename) {
  const auto dot = filename.rfind('.');
  std::string e = dot == std::string::npos ? "" : filename.substr(dot + 1);
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

// A record name safe to echo: letters, digits, '-', '_' and '.', at most 64.
std::string safe_name(const std::string& raw) {
  std::string out;
  for (char c : raw)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') out += c;
  if (out.size() > 64) out.resize(64);
  return out.empty() ? "upload" : out;
}

// Millivolts per unit of a JSON recording's "units"; ApiError 422 for others.
double units_scale(const std::string& units) {
  if (units == "mV") return 1;
  if (units == "uV" || units == "µV") return 0.001;
  if (units == "V") return 1000;
  throw ApiError(422, "invalid_content", "units: '" + units + "' is not one of mV, uV, V");
}

Recording from_json(const nlohmann::json& body) {
  if (!body.is_object()) throw ApiError(422, "invalid_content", "body: must be an object {fs, units, leads}");
  if (!body.contains("fs") || !body["fs"].is_number()) throw ApiError(422, "invalid_content", "fs: missing or not a number");
  Recording r;
  r.fs = body["fs"].get<double>();
  check_fs(r.fs, "fs");
  const double scale = units_scale(body.value("units", std::string("mV")));
  if (!body.contains("leads") || !body["leads"].is_object() || body["leads"].empty())
    throw ApiError(422, "invalid_content", "leads: must be an object of lead name -> samples, with at least one lead");
  for (const auto& [name, samples] : body["leads"].items()) {
    std::vector<double> x = finite_numbers(samples, "leads." + name);
    for (double& v : x) v *= scale;
    if (!r.samples.empty() && x.size() != r.samples[0].size())
      throw ApiError(422, "invalid_content", "leads." + name + ": " + std::to_string(x.size()) + " samples, the first lead has " +
                                                 std::to_string(r.samples[0].size()));
    r.leads.push_back(name);
    r.units.push_back("mV");
    r.samples.push_back(std::move(x));
  }
  r.name = safe_name(body.value("name", std::string("upload")));
  return r;
}

// The JSON recording read by events (nlohmann's SAX interface) straight
// into sample vectors: a 30-minute 2-lead record is 1.3 million numbers, and
// a document tree of them costs more than the analysis. Any surprise (a
// non-number sample, malformed JSON, NaN) makes it give up, and the request
// is read again as a document, whose errors name the field.
class RecordSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  double fs = -1;
  std::string units = "mV", name = "upload";
  std::vector<std::string> leads;
  std::vector<std::vector<double>> samples;

  bool null() override { return other(); }
  bool boolean(bool) override { return other(); }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return number(v); }
  bool string(string_t& v) override {
    if (depth_ == 1 && key_ == "units") units = v;
    else if (depth_ == 1 && key_ == "name") name = v;
    else return other();
    return true;
  }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override {
    ++depth_;
    return depth_ == 1 || (depth_ == 2 && key_ == "leads");
  }
  bool key(string_t& k) override {
    if (depth_ == 1) key_ = k;
    else if (depth_ == 2) lead_ = k;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (depth_ != 3 || key_ != "leads") return false;
    leads.push_back(lead_);
    samples.emplace_back();
    samples.back().reserve(1 << 16);
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  int depth_ = 0;
  std::string key_, lead_;
  bool number(double v) {
    if (depth_ == 1 && key_ == "fs") {
      fs = v;
      return true;
    }
    if (depth_ != 3 || !std::isfinite(v)) return false;
    samples.back().push_back(v);
    return true;
  }
  bool other() { return depth_ == 1 && key_ != "fs" && key_ != "leads" && key_ != "units" && key_ != "name"; }
};

// The JSON recording: by events when it is well formed, else by document
// (for the error message).
Recording recording_from_json(const Request& req) {
  const std::string type = req.header("content-type");
  if (type.rfind("application/json", 0) == 0) {
    RecordSax sax;
    if (nlohmann::json::sax_parse(req.body, &sax) && sax.fs > 0 && !sax.leads.empty()) {
      bool ok = true;
      for (const auto& x : sax.samples) ok = ok && !x.empty() && x.size() == sax.samples[0].size();
      std::set<std::string> names(sax.leads.begin(), sax.leads.end());
      if (ok && names.size() == sax.leads.size()) {
        check_fs(sax.fs, "fs");
        Recording r;
        r.fs = sax.fs;
        const double scale = units_scale(sax.units);
        for (std::size_t l = 0; l < sax.leads.size(); ++l) {
          if (scale != 1)
            for (double& v : sax.samples[l]) v *= scale;
          r.leads.push_back(sax.leads[l]);
          r.units.push_back("mV");
          r.samples.push_back(std::move(sax.samples[l]));
        }
        r.name = safe_name(sax.name);
        return r;
      }
    }
  }
  return from_json(json_body(req));
}

// A file upload on a temporary path of the service's own choosing (libbiosig
// reads files only); removed on every path out.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content, const std::string& ext) {
    std::string templ = (std::filesystem::temp_directory_path() / "heartwave-upload-XXXXXX").string() + "." + ext;
    const int fd = mkstemps(templ.data(), static_cast<int>(ext.size() + 1));
    if (fd < 0) throw IoError("serve: cannot create a temporary file for the upload");
    path = templ;
    std::size_t at = 0;
    while (at < content.size()) {
      const ssize_t w = ::write(fd, content.data() + at, content.size() - at);
      if (w <= 0) {
        ::close(fd);
        std::remove(path.c_str());
        throw IoError("serve: cannot write the upload's temporary file");
      }
      at += static_cast<std::size_t>(w);
    }
    ::close(fd);
  }
  ~TempFile() { std::remove(path.c_str()); }
};

Recording from_parts(const Request& req) {
  std::vector<const Part*> files;
  double fs = 0;
  for (const Part& p : req.parts) {
    if (p.name == "file") files.push_back(&p);
    else if (p.name == "fs") {
      try {
        fs = std::stod(p.content);
      } catch (const std::exception&) {
        throw ApiError(422, "invalid_content", "fs: '" + p.content.substr(0, 40) + "' is not a number");
      }
      check_fs(fs, "fs");
    }
  }
  if (files.empty()) throw ApiError(422, "invalid_content", "file: no part named 'file' in the upload");
  const Part* hea = nullptr;
  for (const Part* p : files)
    if (extension(p->filename) == "hea") hea = p;
  if (hea) {
    const Header h = parse_header(hea->content, safe_name(hea->filename));
    const Record rec = decode_record(h, "upload", [&](const std::string& file_name) {
      for (const Part* p : files)
        if (p->filename == file_name) return std::vector<std::uint8_t>(p->content.begin(), p->content.end());
      throw ApiError(422, "invalid_content", "file: the header " + hea->filename + " names the signal file " + file_name +
                                                 ", which is not in the upload");
    });
    Recording r = to_recording(rec);
    r.name = safe_name(h.record_name);
    return r;
  }
  if (files.size() != 1)
    throw ApiError(422, "invalid_content", "file: " + std::to_string(files.size()) + " files without a .hea header; send one EDF or CSV file, or a WFDB .hea with its signal files");
  const Part& f = *files[0];
  const std::string ext = extension(f.filename);
  const std::string name = safe_name(f.filename.substr(0, f.filename.rfind('.')));
  if (ext == "csv") {
    Recording r = parse_csv_signal(f.content, fs, safe_name(f.filename));
    r.name = name;
    return r;
  }
  if (ext == "edf" || ext == "bdf" || ext == "rec") {
    const TempFile tmp(f.content, ext);
    RecordingFileOptions o;
    Recording r = read_recording_file(tmp.path, o);
    r.name = name;
    return r;
  }
  throw ApiError(415, "unsupported_media_type", "file: '" + f.filename + "' is not a .hea (+ .dat), .edf, .bdf or .csv file");
}

}  // namespace

namespace {
// A whole recording's buffers are large and short-lived: give them back to
// the system after each analysis, so that the resident memory of a server
// with several threads does not stay at its peak.
struct TrimAfter {
  ~TrimAfter() { malloc_trim(0); }
};
}  // namespace

Response Service::analyze_route(const Request& req) {
  if (!ready()) throw ApiError(503, "not_ready", "the models are still loading");
  const TrimAfter trim;
  const auto t0 = std::chrono::steady_clock::now();
  const std::string type = req.header("content-type");
  Recording rec;
  if (req.multipart || type.rfind("multipart/form-data", 0) == 0) rec = from_parts(req);
  else rec = recording_from_json(req);
  if (rec.samples.empty() || rec.num_samples() == 0) throw ApiError(422, "invalid_content", "the recording has no samples");
  check_fs(rec.fs, "the recording");
  const double seconds = static_cast<double>(rec.num_samples()) / rec.fs;
  if (seconds > options_.max_record_s)
    throw ApiError(422, "invalid_content", "the recording lasts " + std::to_string(seconds) + " s; at most " +
                                               std::to_string(options_.max_record_s) + " s per request");
  if (seconds < 2) throw ApiError(422, "invalid_content", "the recording lasts " + std::to_string(seconds) + " s; at least 2 s are needed");
  check_deadline(req, "reading the recording");
  const Model& m = model(req.query_value("model"));
  AnalyzeOptions ao;
  if (req.has_query("lead")) ao.lead = req.query_value("lead");
  const Analysis an = analyze_recording(rec, *m.pipe, ao);
  check_deadline(req, "the analysis");
  const nlohmann::json model_info = {{"name", m.name}, {"file", m.file.filename().string()}, {"family", m.bundle.meta.value("family", "")},
                                     {"label_set", m.bundle.meta.value("label_set", "")},
                                     {"version", m.bundle.meta.value("heartwave_version", "")}};
  SummaryOptions so;
  std::vector<Episode> episodes;
  const std::span<const double> lead = analysed_lead(rec, an);
  const nlohmann::json summary = holter_summary(an, lead, model_info, "", so, &episodes);
  std::array<std::int64_t, 5> counts{};
  for (const auto& b : an.beats) ++counts[static_cast<std::size_t>(b.cls)];
  metrics_.beats(counts);
  metrics_.samples(static_cast<std::int64_t>(rec.num_samples()));
  if (req.query_value("format") == "wfdb") {
    std::vector<std::int64_t> r;
    for (const auto& b : an.beats) r.push_back(b.sample);
    const auto anns = merge_annotations(analysis_annotations(an), rhythm_annotations(episodes, r));
    const auto bytes = encode_annotations(anns);
    Response res;
    res.content_type = "application/octet-stream";
    res.body.assign(bytes.begin(), bytes.end());
    res.headers["Content-Disposition"] = "attachment; filename=\"" + an.record + ".hw\"";
    return res;
  }
  if (req.has_query("format") && req.query_value("format") != "json")
    throw ApiError(422, "invalid_content", "format: '" + req.query_value("format").substr(0, 20) + "' is not json or wfdb");
  nlohmann::json j = analysis_json(an, model_info);
  j["duration_s"] = seconds;
  j["leads"] = rec.leads;
  for (std::size_t i = 0; i < an.beats.size(); ++i) {
    const auto& p = an.beats[i].proba;
    j["beats"][i]["review"] = an.beats[i].classified && *std::max_element(p.begin(), p.end()) < so.review_below;
    j["beats"][i]["af"] = i < an.af.size() && an.af[i] != 0;
  }
  nlohmann::json eps = nlohmann::json::array();
  for (const Episode& e : episodes)
    eps.push_back({{"type", episode_type_name(e.type)},
                   {"start", e.begin},
                   {"end", e.end},
                   {"start_time", static_cast<double>(e.begin) / rec.fs},
                   {"duration_s", e.duration_s(rec.fs)},
                   {"beats", e.beats},
                   {"rate_bpm", e.rate_bpm}});
  j["episodes"] = std::move(eps);
  j["summary"] = summary;
  const std::string sig = req.query_value("signal");
  if (sig == "1" || sig == "true") {
    nlohmann::json leads = nlohmann::json::object();
    for (std::size_t l = 0; l < rec.leads.size(); ++l) {
      std::vector<float> x(rec.samples[l].begin(), rec.samples[l].end());
      leads[rec.leads[l]] = x;
    }
    j["signal"] = {{"fs", rec.fs}, {"leads", leads}};
  }
  j["timing"] = {{"seconds", since(t0)}};
  return Response::json(200, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response Service::annotations_route(const Request& req) const {
  const nlohmann::json body = json_body(req);
  if (!body.is_object() || !body.contains("beats") || !body["beats"].is_array())
    throw ApiError(422, "invalid_content", "beats: missing or not an array");
  if (!body.contains("fs") || !body["fs"].is_number()) throw ApiError(422, "invalid_content", "fs: missing or not a number");
  check_fs(body["fs"].get<double>(), "fs");
  std::vector<Annotation> anns;
  std::int64_t last = -1;
  for (std::size_t i = 0; i < body["beats"].size(); ++i) {
    const nlohmann::json& b = body["beats"][i];
    const std::string where = "beats[" + std::to_string(i) + "]";
    if (!b.is_object() || !b.contains("sample") || !b["sample"].is_number_integer())
      throw ApiError(422, "invalid_content", where + ".sample: missing or not an integer");
    const auto s = b["sample"].get<std::int64_t>();
    if (s < 0 || s <= last) throw ApiError(422, "invalid_content", where + ".sample: " + std::to_string(s) + " is negative or not after the beat before");
    last = s;
    const std::string c = b.contains("class") && b["class"].is_string() ? b["class"].get<std::string>() : "";
    int cls = -1;
    for (int k = 0; k < 5; ++k)
      if (c == class_name(k)) cls = k;
    if (cls < 0) throw ApiError(422, "invalid_content", where + ".class: '" + c.substr(0, 8) + "' is not one of N S V F Q");
    Annotation a;
    a.time = s;
    a.code = class_annotation_code(cls);
    anns.push_back(a);
  }
  const auto bytes = encode_annotations(anns);
  Response res;
  res.content_type = "application/octet-stream";
  res.body.assign(bytes.begin(), bytes.end());
  res.headers["Content-Disposition"] = "attachment; filename=\"annotations.hw\"";
  return res;
}

Response Service::examples_route(const Request&) const { return Response::json(200, nlohmann::json{{"examples", example_list()}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)); }

Response Service::example_route(const Request& req) const {
  return Response::json(200, example_recording(req.path.substr(std::string("/v1/examples/").size())).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace heartwave::serve
