#include "heartwave/infer/analyze.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "heartwave/beats/label_sets.hpp"
#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/core/version.hpp"

namespace heartwave {

namespace {

// MIT codes of the five classes, in class order N S V F Q.
constexpr std::array<int, 5> kClassCodes = {1, 9, 5, 6, 13};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void check_recording(const Recording& rec) {
  if (rec.samples.empty() || rec.num_samples() == 0) throw InvalidArgument(rec.name + ": the recording has no samples");
  for (const auto& s : rec.samples)
    if (s.size() != rec.num_samples()) throw InvalidArgument(rec.name + ": its signals differ in length");
  if (!(rec.fs > 0) || !std::isfinite(rec.fs)) throw InvalidArgument(rec.name + ": no valid sampling rate");
}

}  // namespace

std::size_t analysis_lead(const Recording& rec, const std::string& lead, const std::string& model_lead) {
  if (rec.leads.empty()) throw InvalidArgument(rec.name + ": the recording has no signal");
  auto find = [&](const std::string& name) -> std::ptrdiff_t {
    for (std::size_t i = 0; i < rec.leads.size(); ++i)
      if (rec.leads[i] == name) return static_cast<std::ptrdiff_t>(i);
    return -1;
  };
  if (!lead.empty()) {
    if (const auto i = find(lead); i >= 0) return static_cast<std::size_t>(i);
    std::string names;
    for (const auto& n : rec.leads) names += (names.empty() ? "" : ", ") + n;
    throw InvalidArgument(rec.name + ": no lead named '" + lead + "' (the recording has " + names + ")");
  }
  for (const std::string& name : {model_lead, std::string("MLII"), std::string("II")})
    if (!name.empty())
      if (const auto i = find(name); i >= 0) return static_cast<std::size_t>(i);
  return 0;
}

Analysis analyze_recording(const Recording& rec, const BeatPipeline& pipe, const AnalyzeOptions& o) {
  check_recording(rec);
  const std::size_t lead = analysis_lead(rec, o.lead, pipe.preprocessing().lead_name);
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<std::int64_t> found = detect_qrs(rec.samples[lead], rec.fs, o.detector);
  const double detect = seconds_since(t0);
  Analysis a = classify_positions(rec, pipe, found, o);
  a.detector = o.detector;
  a.detect_seconds = detect;
  return a;
}

Analysis classify_positions(const Recording& rec, const BeatPipeline& pipe, std::span<const std::int64_t> found, const AnalyzeOptions& o) {
  check_recording(rec);
  if (!std::is_sorted(found.begin(), found.end())) throw InvalidArgument(rec.name + ": beat positions are not in order");
  const Preprocessing& pre = pipe.preprocessing();
  Analysis a;
  a.record = rec.name;
  a.fs = rec.fs;
  a.num_samples = static_cast<std::int64_t>(rec.num_samples());
  const std::size_t lead = analysis_lead(rec, o.lead, pre.lead_name);
  a.lead = rec.leads[lead];
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Annotation> anns(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) anns[i].time = found[i], anns[i].code = 1;  // N: a beat, class unknown
  // The pipeline picks its lead (and second lead) by name: give it the
  // chosen lead under the model's lead name when --lead picked another.
  BeatPipeline::RecordResult res;
  if (pre.choose_lead(rec.leads, rec.name) == lead || !pre.second_lead) {
    if (pre.second_lead) {
      res = pipe.classify_record(rec, anns);
      a.second_lead = rec.leads[pre.choose_second_lead(rec.leads, rec.name)];
    } else {
      res = pipe.classify_record(rec.name, rec.samples[lead], rec.fs, anns);
    }
  } else {
    Recording view;
    view.name = rec.name;
    view.fs = rec.fs;
    // The model's own rule for the second lead (V1, else another),
    // relative to the chosen lead.
    Preprocessing chosen = pre;
    chosen.lead_name = rec.leads[lead];
    const std::size_t second = chosen.choose_second_lead(rec.leads, rec.name);
    view.leads = {pre.lead_name, "second"};
    view.samples = {rec.samples[lead], rec.samples[second]};
    a.second_lead = rec.leads[second];
    res = pipe.classify_record(view, anns);
  }
  const std::vector<std::int32_t> cls = pipe.decide(res, o.use_weights, o.use_rhythm_step);
  const std::vector<std::uint8_t> af = pipe.af_verdicts(res, o.use_weights, pipe.af_gate());
  a.classify_seconds = seconds_since(t0);

  // The classified beats are those whose window fits, in order, at the
  // model's rate: match them back to the detections.
  const double ratio = pre.fs / rec.fs;
  a.beats.resize(found.size());
  a.af.assign(found.size(), 0);
  std::size_t k = 0;
  for (std::size_t i = 0; i < found.size(); ++i) {
    AnalyzedBeat& b = a.beats[i];
    b.sample = found[i];
    const std::int64_t at = rec.fs == pre.fs ? found[i] : std::llround(static_cast<double>(found[i]) * ratio);
    if (k < res.beats.beats.size() && res.beats.beats[k].r_sample == at) {
      b.classified = true;
      b.cls = cls[k];
      a.af[i] = af[k];
      for (int c = 0; c < 5; ++c) b.proba[static_cast<std::size_t>(c)] = res.proba[k * 5 + static_cast<std::size_t>(c)];
      ++k;
    }
  }
  return a;
}

int class_annotation_code(int cls) { return kClassCodes.at(static_cast<std::size_t>(cls)); }

std::vector<Annotation> analysis_annotations(const Analysis& a) {
  std::vector<Annotation> out(a.beats.size());
  for (std::size_t i = 0; i < a.beats.size(); ++i) {
    out[i].time = a.beats[i].sample;
    out[i].code = kClassCodes[static_cast<std::size_t>(a.beats[i].cls)];
  }
  return out;
}

std::string analysis_csv(const Analysis& a) {
  std::string out = "record,sample,time,class,p_N,p_S,p_V,p_F,p_Q\n";
  out.reserve(out.size() + a.beats.size() * 64);
  char line[256];
  for (const AnalyzedBeat& b : a.beats) {
    const double t = static_cast<double>(b.sample) / a.fs;
    if (b.classified) {
      std::snprintf(line, sizeof line, ",%lld,%.4f,%s,%.6f,%.6f,%.6f,%.6f,%.6f\n", static_cast<long long>(b.sample), t,
                    std::string(class_name(b.cls)).c_str(), b.proba[0], b.proba[1], b.proba[2], b.proba[3], b.proba[4]);
    } else {
      std::snprintf(line, sizeof line, ",%lld,%.4f,Q,,,,,\n", static_cast<long long>(b.sample), t);
    }
    out += a.record;
    out += line;
  }
  return out;
}

std::span<const double> analysed_lead(const Recording& rec, const Analysis& an) {
  for (std::size_t i = 0; i < rec.leads.size(); ++i)
    if (rec.leads[i] == an.lead) return rec.samples[i];
  return rec.samples.front();
}

nlohmann::json analysis_json(const Analysis& a, const nlohmann::json& model) {
  nlohmann::json j;
  j["build"] = build_info();
  j["record"] = a.record;
  j["fs"] = a.fs;
  j["num_samples"] = a.num_samples;
  j["lead"] = a.lead;
  j["second_lead"] = a.second_lead;
  j["detector"] = a.detector;
  j["model"] = model;
  nlohmann::json counts = nlohmann::json::object();
  for (int c = 0; c < 5; ++c) counts[std::string(class_name(c))] = 0;
  nlohmann::json beats = nlohmann::json::array();
  for (const AnalyzedBeat& b : a.beats) {
    const std::string name(class_name(b.cls));
    counts[name] = counts[name].get<int>() + 1;
    nlohmann::json beat = {{"sample", b.sample}, {"time", static_cast<double>(b.sample) / a.fs}, {"class", name}};
    beat["proba"] = b.classified ? nlohmann::json(std::vector<float>(b.proba.begin(), b.proba.end())) : nlohmann::json(nullptr);
    beats.push_back(std::move(beat));
  }
  j["counts"] = counts;
  j["beats"] = std::move(beats);
  return j;
}

}  // namespace heartwave
