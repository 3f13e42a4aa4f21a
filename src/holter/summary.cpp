#include "heartwave/holter/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "heartwave/beats/label_sets.hpp"
#include "heartwave/core/version.hpp"

namespace heartwave {

namespace {

constexpr std::int32_t kN = 0, kQ = 4;
using json = nlohmann::json;

json opt(double v, bool ok) { return ok && std::isfinite(v) ? json(v) : json(nullptr); }
// v rounded to a multiple of step (0.1, 0.01, 0.001), as the nearest double
// to the decimal (so that JSON shows 89.3, not 89.30000000000001).
double round_to(double v, double step) {
  const double per = std::round(1 / step);
  return std::round(v * per) / per;
}

std::string hhmmss(double s) {
  const auto t = static_cast<long long>(std::floor(std::max(0.0, s)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
  return buf;
}

bool inside(std::span<const Episode> eps, EpisodeType t, std::int64_t at) {
  return std::any_of(eps.begin(), eps.end(), [&](const Episode& e) { return e.type == t && e.begin <= at && at <= e.end; });
}

double mean_of(std::span<const double> v) { return v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }
// Sample standard deviation (n - 1); NaN below 2 values.
double sd_of(std::span<const double> v) {
  if (v.size() < 2) return NAN;
  const double m = mean_of(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

std::size_t count_type(std::span<const Episode> eps, EpisodeType t) {
  return static_cast<std::size_t>(std::count_if(eps.begin(), eps.end(), [&](const Episode& e) { return e.type == t; }));
}

// The ectopy block of one class (V or S).
json ectopy(const Analysis& a, std::span<const Episode> eps, std::int32_t c, EpisodeType couplet, EpisodeType run,
            EpisodeType bigeminy, EpisodeType trigeminy) {
  std::size_t n = 0, isolated = 0;
  for (std::size_t i = 0; i < a.beats.size(); ++i) {
    if (a.beats[i].cls != c) continue;
    ++n;
    const bool before = i > 0 && a.beats[i - 1].cls == c, after = i + 1 < a.beats.size() && a.beats[i + 1].cls == c;
    if (!before && !after) ++isolated;
  }
  int longest = 0;
  double fastest = 0;
  for (const Episode& e : eps)
    if (e.type == run) longest = std::max(longest, e.beats), fastest = std::max(fastest, e.rate_bpm);
  const double total = static_cast<double>(a.beats.size());
  return {{"beats", n},
          {"burden_percent", opt(100.0 * static_cast<double>(n) / total, total > 0)},
          {"isolated", isolated},
          {"couplets", count_type(eps, couplet)},
          {"runs", count_type(eps, run)},
          {"longest_run_beats", longest},
          {"fastest_run_bpm", opt(round_to(fastest, 0.1), fastest > 0)},
          {"bigeminy_episodes", count_type(eps, bigeminy)},
          {"trigeminy_episodes", count_type(eps, trigeminy)}};
}

json gaps(std::span<const Episode> eps, EpisodeType t, double threshold, double fs) {
  std::size_t n = 0;
  const Episode* longest = nullptr;
  for (const Episode& e : eps)
    if (e.type == t) {
      ++n;
      if (!longest || e.end - e.begin > longest->end - longest->begin) longest = &e;
    }
  return {{"threshold_s", threshold},
          {"count", n},
          {"longest_s", longest ? json(round_to(longest->duration_s(fs), 0.001)) : json(nullptr)},
          {"longest_time_s", longest ? json(static_cast<double>(longest->begin) / fs) : json(nullptr)}};
}

}  // namespace

std::vector<SampleRange> unreadable_segments(std::span<const double> lead, double fs, const Analysis& a, const SummaryOptions& o) {
  std::vector<SampleRange> out;
  const auto seg = static_cast<std::int64_t>(std::max(1.0, std::round(o.segment_s * fs)));
  const auto n = static_cast<std::int64_t>(lead.size());
  std::size_t b = 0;
  for (std::int64_t s = 0; s < n; s += seg) {
    const std::int64_t e = std::min(n, s + seg);
    const auto [lo, hi] = std::minmax_element(lead.begin() + s, lead.begin() + e);
    bool bad = !(*hi - *lo >= o.flat_mv);  // flat, or NaN
    std::size_t beats = 0, q = 0;
    while (b < a.beats.size() && a.beats[b].sample < s) ++b;
    for (std::size_t k = b; k < a.beats.size() && a.beats[k].sample < e; ++k) ++beats, q += a.beats[k].cls == kQ ? 1 : 0;
    bad = bad || (beats >= 2 && 2 * q > beats);
    if (!bad) continue;
    if (!out.empty() && out.back().end == s) out.back().end = e;
    else out.push_back({s, e});
  }
  return out;
}

std::vector<NnInterval> nn_intervals(const Analysis& a, std::span<const Episode> eps, bool hrv) {
  std::vector<NnInterval> out;
  double previous = NAN;
  std::int64_t previous_end = -1;
  for (std::size_t i = 1; i < a.beats.size(); ++i) {
    const AnalyzedBeat &x = a.beats[i - 1], &y = a.beats[i];
    if (x.cls != kN || y.cls != kN || !x.classified || !y.classified) continue;
    const double rr = static_cast<double>(y.sample - x.sample) / a.fs;
    if (rr < 0.3 || rr > 2.0) continue;
    if (hrv && (inside(eps, EpisodeType::af, x.sample) || inside(eps, EpisodeType::af, y.sample))) continue;
    const bool successive = previous_end == x.sample;
    if (hrv && successive && std::abs(rr - previous) > 0.2 * previous) {
      previous_end = -1;  // a jump of over 20%: left out, and the next interval starts new pairs
      continue;
    }
    out.push_back({y.sample, rr, successive});
    previous = rr, previous_end = y.sample;
  }
  return out;
}

json holter_summary(const Analysis& a, std::span<const double> lead, const json& model, const std::string& start,
                    const SummaryOptions& o, std::vector<Episode>* episodes_out) {
  const double fs = a.fs;
  const double duration = static_cast<double>(a.num_samples) / fs;
  std::vector<std::int64_t> r;
  std::vector<std::int32_t> cls;
  for (const AnalyzedBeat& b : a.beats) r.push_back(b.sample), cls.push_back(b.cls);
  const std::vector<SampleRange> excluded = unreadable_segments(lead, fs, a, o);
  const std::vector<Episode> eps = find_episodes(r, cls, a.af, fs, o.episodes, excluded);
  double excluded_s = 0;
  json excl = json::array();
  for (const SampleRange& x : excluded) {
    excluded_s += static_cast<double>(x.end - x.begin) / fs;
    excl.push_back({{"start_s", static_cast<double>(x.begin) / fs}, {"end_s", static_cast<double>(x.end) / fs}, {"reason", "unreadable"}});
  }
  const double analysable = std::max(0.0, duration - excluded_s);

  json s;
  s["build"] = build_info();
  s["record"] = a.record;
  s["start"] = start.empty() ? json(nullptr) : json(start);
  s["duration_s"] = duration;
  s["fs"] = fs;
  s["analysable_s"] = analysable;
  s["excluded_s"] = excluded_s;
  s["excluded_percent"] = opt(100.0 * excluded_s / duration, duration > 0);
  s["excluded_segments"] = excl;
  s["leads"] = a.second_lead.empty() ? json::array({a.lead}) : json::array({a.lead, a.second_lead});
  s["detector"] = a.detector;
  s["model"] = model;

  // Heart rate, from NN intervals.
  const std::vector<NnInterval> nn = nn_intervals(a, eps, false);
  std::vector<double> nn_s;
  for (const auto& x : nn) nn_s.push_back(x.seconds);
  json hr;
  const double mean_nn = mean_of(nn_s);
  hr["mean_bpm"] = opt(round_to(60.0 / mean_nn, 0.1), !nn.empty());
  const auto k = static_cast<std::size_t>(std::max(1, o.hr_average_beats));
  double lo = INFINITY, hi = -INFINITY, lo_t = 0, hi_t = 0, below = 0, above = 0;
  if (nn.size() >= k) {
    double sum = std::accumulate(nn_s.begin(), nn_s.begin() + static_cast<std::ptrdiff_t>(k), 0.0);
    std::vector<double> rolling(nn.size(), NAN);
    for (std::size_t i = 0;; ++i) {  // window [i, i + k)
      const double bpm = 60.0 * static_cast<double>(k) / sum;
      const double t = static_cast<double>(nn[i + k / 2].end) / fs;
      if (bpm < lo) lo = bpm, lo_t = t;
      if (bpm > hi) hi = bpm, hi_t = t;
      rolling[i + k / 2] = bpm;
      if (i + k >= nn.size()) break;
      sum += nn_s[i + k] - nn_s[i];
    }
    // Each interval takes the rolling rate centred on it (the nearest one at the ends).
    const std::size_t first = k / 2, last = nn.size() - k + k / 2;
    for (std::size_t i = 0; i < nn.size(); ++i) {
      const double bpm = rolling[std::clamp(i, first, last)];
      if (bpm < 50) below += nn_s[i];
      if (bpm > 100) above += nn_s[i];
    }
  }
  hr["min_bpm"] = opt(round_to(lo, 0.1), std::isfinite(lo));
  hr["min_time_s"] = opt(lo_t, std::isfinite(lo));
  hr["max_bpm"] = opt(round_to(hi, 0.1), std::isfinite(hi));
  hr["max_time_s"] = opt(hi_t, std::isfinite(hi));
  hr["averaging_beats"] = k;
  hr["below_50_s"] = below;
  hr["above_100_s"] = above;
  hr["from"] = "NN intervals (both beats N, 0.3 to 2.0 s)";
  {
    const auto minutes = static_cast<std::size_t>(std::ceil(duration / 60.0));
    std::vector<double> sum(minutes, 0);
    std::vector<std::size_t> cnt(minutes, 0);
    for (const auto& x : nn) {
      const auto m = std::min(minutes - 1, static_cast<std::size_t>(static_cast<double>(x.end) / fs / 60.0));
      sum[m] += x.seconds, ++cnt[m];
    }
    json bpm = json::array();
    for (std::size_t m = 0; m < minutes; ++m) bpm.push_back(opt(round_to(60.0 * static_cast<double>(cnt[m]) / sum[m], 0.1), cnt[m] > 0));
    hr["trend"] = {{"minute_s", 60}, {"bpm", bpm}};
  }
  s["heart_rate"] = hr;

  // Beats.
  json counts = json::object();
  for (int c = 0; c < 5; ++c) counts[std::string(class_name(c))] = std::count(cls.begin(), cls.end(), c);
  s["beats"] = {{"total", a.beats.size()}, {"counts", counts}};
  s["ventricular"] = ectopy(a, eps, 2, EpisodeType::ventricular_couplet, EpisodeType::ventricular_run,
                            EpisodeType::ventricular_bigeminy, EpisodeType::ventricular_trigeminy);
  s["supraventricular"] = ectopy(a, eps, 1, EpisodeType::supraventricular_couplet, EpisodeType::supraventricular_run,
                                 EpisodeType::supraventricular_bigeminy, EpisodeType::supraventricular_trigeminy);
  s["pauses"] = gaps(eps, EpisodeType::pause, o.episodes.pause_s, fs);
  s["asystole"] = gaps(eps, EpisodeType::asystole, o.episodes.asystole_s, fs);

  // AF.
  {
    double af_s = 0, af_beats = 0;
    json list = json::array();
    for (const Episode& e : eps)
      if (e.type == EpisodeType::af) {
        af_s += e.duration_s(fs);
        af_beats += e.beats;
        list.push_back({{"start_s", static_cast<double>(e.begin) / fs}, {"end_s", static_cast<double>(e.end) / fs},
                        {"duration_s", e.duration_s(fs)}, {"beats", e.beats}, {"mean_rate_bpm", round_to(e.rate_bpm, 0.1)},
                        {"label", "AFIB"}});
      }
    s["af"] = {{"present", !list.empty()},
               {"burden_percent", opt(100.0 * af_s / analysable, analysable > 0)},
               {"duration_s", af_s},
               {"mean_rate_bpm", opt(round_to(60.0 * af_beats / af_s, 0.1), af_s > 0)},
               {"episodes", list},
               {"note", "atrial fibrillation and flutter are not told apart (both AFIB)"}};
  }

  // HRV (time domain, Task Force 1996) on filtered NN intervals outside AF.
  {
    const std::vector<NnInterval> v = nn_intervals(a, eps, true);
    std::vector<double> x, d;
    for (std::size_t i = 0; i < v.size(); ++i) {
      x.push_back(v[i].seconds * 1000);
      if (v[i].successive && i > 0) d.push_back(v[i].seconds * 1000 - v[i - 1].seconds * 1000);
    }
    const auto segments = static_cast<std::size_t>(std::floor(duration / o.hrv_segment_s));
    std::vector<double> seg_mean, seg_sd;
    if (segments >= 2) {
      std::vector<std::vector<double>> per(segments);
      for (const auto& n : v) {
        const auto m = static_cast<std::size_t>(static_cast<double>(n.end) / fs / o.hrv_segment_s);
        if (m < segments) per[m].push_back(n.seconds * 1000);
      }
      for (const auto& p : per)
        if (p.size() >= 2) seg_mean.push_back(mean_of(p)), seg_sd.push_back(sd_of(p));
    }
    double ss = 0, over50 = 0;
    for (double e : d) ss += e * e, over50 += std::abs(e) > 50 ? 1 : 0;
    const double nd = static_cast<double>(d.size());
    s["hrv"] = {{"nn_intervals", x.size()},
                {"mean_nn_ms", opt(round_to(mean_of(x), 0.1), !x.empty())},
                {"sdnn_ms", opt(round_to(sd_of(x), 0.1), x.size() >= 2)},
                {"sdann_ms", opt(round_to(sd_of(seg_mean), 0.1), seg_mean.size() >= 2)},
                {"sdnn_index_ms", opt(round_to(mean_of(seg_sd), 0.1), seg_sd.size() >= 2)},
                {"rmssd_ms", opt(round_to(std::sqrt(ss / nd), 0.1), !d.empty())},
                {"pnn50_percent", opt(round_to(100.0 * over50 / nd, 0.01), !d.empty())},
                {"segment_s", o.hrv_segment_s}};
  }

  // Episodes.
  json list = json::array();
  for (const Episode& e : eps) {
    json j = {{"type", episode_type_name(e.type)}, {"start_s", static_cast<double>(e.begin) / fs},
              {"end_s", static_cast<double>(e.end) / fs}, {"beats", e.beats}};
    j["rate_bpm"] = opt(round_to(e.rate_bpm, 0.1), e.rate_bpm > 0);
    list.push_back(std::move(j));
  }
  s["episodes"] = list;

  // Urgent findings, each with the episode it points at (for its strip).
  json findings = json::array();
  std::vector<std::pair<std::string, std::int64_t>> finding_at;  // strip title, centre sample
  auto add = [&](const std::string& id, const std::string& text, std::int64_t at) {
    findings.push_back({{"id", id}, {"text", text}, {"time_s", static_cast<double>(at) / fs}});
    finding_at.emplace_back(text, at);
  };
  char text[256];
  {
    const Episode* longest = nullptr;
    std::size_t n = 0;
    for (const Episode& e : eps)
      if (e.type == EpisodeType::ventricular_run && e.beats >= o.urgent_vt_beats) {
        ++n;
        if (!longest || e.beats > longest->beats) longest = &e;
      }
    if (longest) {
      std::snprintf(text, sizeof text, "Ventricular tachycardia: %zu run(s) of %d beats or more, longest %d beats at %.0f bpm at %s", n,
                    o.urgent_vt_beats, longest->beats, longest->rate_bpm, hhmmss(static_cast<double>(longest->begin) / fs).c_str());
      add("vt", text, longest->begin);
    }
  }
  for (EpisodeType t : {EpisodeType::asystole, EpisodeType::pause}) {
    const Episode* longest = nullptr;
    std::size_t n = 0;
    const double limit = t == EpisodeType::asystole ? o.episodes.asystole_s : o.urgent_pause_s;
    for (const Episode& e : eps)
      if (e.type == t && e.duration_s(fs) >= limit) {
        ++n;
        if (!longest || e.end - e.begin > longest->end - longest->begin) longest = &e;
      }
    if (!longest) continue;
    std::snprintf(text, sizeof text, "%s: %zu of %.1f s or more, longest %.1f s at %s", t == EpisodeType::asystole ? "Asystole" : "Pauses",
                  n, limit, longest->duration_s(fs), hhmmss(static_cast<double>(longest->begin) / fs).c_str());
    add(t == EpisodeType::asystole ? "asystole" : "pause", text, (longest->begin + longest->end) / 2);
  }
  if (const double vb = s["ventricular"]["burden_percent"].is_number() ? s["ventricular"]["burden_percent"].get<double>() : 0;
      vb > o.urgent_v_burden) {
    std::int64_t at = 0;
    for (const AnalyzedBeat& b : a.beats)
      if (b.cls == 2) {
        at = b.sample;
        break;
      }
    std::snprintf(text, sizeof text, "Ventricular ectopy %.1f%% of beats (above %.0f%%)", vb, o.urgent_v_burden);
    add("v_burden", text, at);
  }
  {
    const Episode* fastest = nullptr;
    for (const Episode& e : eps)
      if (e.type == EpisodeType::af && e.rate_bpm > o.urgent_af_rate_bpm && (!fastest || e.rate_bpm > fastest->rate_bpm)) fastest = &e;
    if (fastest) {
      std::snprintf(text, sizeof text, "Atrial fibrillation with a mean ventricular rate of %.0f bpm (above %.0f) at %s", fastest->rate_bpm,
                    o.urgent_af_rate_bpm, hhmmss(static_cast<double>(fastest->begin) / fs).c_str());
      add("af_rapid", text, fastest->begin);
    }
  }
  s["findings"] = findings;
  char def[256];
  json defs = json::array();
  std::snprintf(def, sizeof def, "VT: a run of %d or more consecutive ventricular beats", o.urgent_vt_beats);
  defs.push_back({{"id", "vt"}, {"definition", def}});
  std::snprintf(def, sizeof def, "Pause: an RR interval of %.1f s or more (pauses are counted from %.1f s)", o.urgent_pause_s, o.episodes.pause_s);
  defs.push_back({{"id", "pause"}, {"definition", def}});
  std::snprintf(def, sizeof def, "Asystole: no QRS for %.1f s or more", o.episodes.asystole_s);
  defs.push_back({{"id", "asystole"}, {"definition", def}});
  std::snprintf(def, sizeof def, "Ventricular ectopy: V beats above %.0f%% of all beats", o.urgent_v_burden);
  defs.push_back({{"id", "v_burden"}, {"definition", def}});
  std::snprintf(def, sizeof def, "Rapid AF: an AF episode whose mean ventricular rate is above %.0f bpm", o.urgent_af_rate_bpm);
  defs.push_back({{"id", "af_rapid"}, {"definition", def}});
  s["definitions"] = defs;

  // Beats for review.
  {
    json listed = json::array();
    std::size_t n = 0;
    for (const AnalyzedBeat& b : a.beats) {
      if (!b.classified) continue;
      const float top = *std::max_element(b.proba.begin(), b.proba.end());
      if (top >= o.review_below) continue;
      if (++n <= o.review_listed)
        listed.push_back({{"sample", b.sample}, {"time_s", static_cast<double>(b.sample) / fs}, {"class", std::string(class_name(b.cls))},
                          {"p", round_to(top, 0.001)}});
    }
    s["review"] = {{"threshold", o.review_below}, {"count", n}, {"listed", listed}};
  }

  // Strips: the most confident beat of each class found, then each finding.
  {
    const auto len = static_cast<std::int64_t>(std::llround(o.strip_s * fs));
    json strips = json::array();
    auto strip = [&](const std::string& title, const std::string& reason, std::int64_t centre) {
      if (strips.size() >= o.max_strips || a.num_samples <= 0) return;
      const std::int64_t begin = std::clamp<std::int64_t>(centre - len / 2, 0, std::max<std::int64_t>(0, a.num_samples - len));
      const std::int64_t end = std::min(a.num_samples, begin + len);
      json beats = json::array();
      for (const AnalyzedBeat& b : a.beats)
        if (b.sample >= begin && b.sample < end) beats.push_back({{"sample", b.sample}, {"class", std::string(class_name(b.cls))}});
      strips.push_back({{"title", title}, {"reason", reason}, {"start_sample", begin}, {"end_sample", end},
                        {"start_s", static_cast<double>(begin) / fs}, {"beats", beats}});
    };
    static const char* kNames[5] = {"Normal beat", "Supraventricular ectopic beat", "Ventricular ectopic beat", "Fusion beat",
                                    "Unclassifiable beat"};
    for (int c = 0; c < 5; ++c) {
      const AnalyzedBeat* best = nullptr;
      for (const AnalyzedBeat& b : a.beats)
        if (b.cls == c && b.classified && (!best || b.proba[static_cast<std::size_t>(c)] > best->proba[static_cast<std::size_t>(c)])) best = &b;
      if (best) strip(std::string(kNames[c]) + " at " + hhmmss(static_cast<double>(best->sample) / fs), "class " + std::string(class_name(c)),
                      best->sample);
    }
    for (const auto& [title, at] : finding_at) strip(title, "finding", at);
    s["strips"] = strips;
  }
  if (episodes_out) *episodes_out = eps;
  return s;
}

}  // namespace heartwave
