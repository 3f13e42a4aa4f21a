// The episode-by-episode comparison (epicmp's AF rules, EC38's figures):
// episodes from rhythm annotations, clipped to the compared span, their
// overlaps, the gross and average rows, the table and JSON.
#include "heartwave/eval/ec57_episodes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

#include <nlohmann/json.hpp>

#include "heartwave/beats/rhythm.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/core/version.hpp"
#include "ec57_common.hpp"

namespace heartwave {
namespace {

using ec57_detail::percent;
using ec57_detail::ratio;
using ec57_detail::seconds;

// Episodes clipped to [start, end]; those left with no length dropped.
std::vector<Ec57Episode> clip(const std::vector<Ec57Episode>& eps, std::int64_t start, std::int64_t end) {
  std::vector<Ec57Episode> out;
  for (Ec57Episode e : eps) {
    e.start = std::max(e.start, start);
    e.end = std::min(e.end, end);
    if (e.end > e.start) out.push_back(e);
  }
  return out;
}

std::int64_t overlap(const Ec57Episode& a, const Ec57Episode& b) {
  return std::max<std::int64_t>(0, std::min(a.end, b.end) - std::max(a.start, b.start));
}

// How many of `def` some episode of `other` overlaps.
std::int64_t overlapped(const std::vector<Ec57Episode>& def, const std::vector<Ec57Episode>& other) {
  std::int64_t n = 0;
  for (const Ec57Episode& d : def)
    if (std::any_of(other.begin(), other.end(), [&](const Ec57Episode& o) { return overlap(d, o) > 0; })) ++n;
  return n;
}

std::int64_t total(const std::vector<Ec57Episode>& eps) {
  std::int64_t n = 0;
  for (const Ec57Episode& e : eps) n += e.end - e.start;
  return n;
}

void append_line(std::string& out, const std::string& name, std::int64_t ref, std::int64_t tps, std::int64_t test,
                 std::int64_t tpp, const Ec57EpisodeStats& f, double ref_s, double test_s, double overlap_s) {
  char b[160];
  std::snprintf(b, sizeof b, "%-7s %4lld %4lld %4lld %4lld", name.c_str(), static_cast<long long>(ref),
                static_cast<long long>(tps), static_cast<long long>(test), static_cast<long long>(tpp));
  out += b;
  out += percent(f.episode_se, 7) + percent(f.episode_ppv, 7) + percent(f.duration_se, 7) + percent(f.duration_ppv, 7);
  std::snprintf(b, sizeof b, " %11.1f %11.1f %11.1f\n", ref_s, test_s, overlap_s);
  out += b;
}

nlohmann::json to_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json figures_json(const Ec57EpisodeStats& f) {
  return {{"episode_se", to_json(f.episode_se)},
          {"episode_ppv", to_json(f.episode_ppv)},
          {"duration_se", to_json(f.duration_se)},
          {"duration_ppv", to_json(f.duration_ppv)}};
}

}  // namespace

std::vector<Ec57Episode> ec57_episodes(std::span<const Annotation> annotations, std::span<const std::string> rhythms,
                                       std::int64_t record_end) {
  std::vector<std::pair<std::int64_t, bool>> changes;  // time, in the set
  for (const Annotation& a : annotations) {
    if (a.code != kRhythmCode) continue;
    std::string aux = a.aux;
    while (!aux.empty() && aux.back() == '\0') aux.pop_back();
    changes.emplace_back(a.time, std::find(rhythms.begin(), rhythms.end(), aux) != rhythms.end());
  }
  std::stable_sort(changes.begin(), changes.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<Ec57Episode> out;
  bool open = false;
  std::int64_t start = 0;
  for (const auto& [t, in_set] : changes) {
    if (!open && in_set) {
      open = true;
      start = t;
    } else if (open && !in_set) {
      open = false;
      if (t > start) out.push_back({start, t});
    }
  }
  if (open && record_end > start) out.push_back({start, record_end});
  return out;
}

Ec57EpisodeStats ec57_episode_figures(const Ec57EpisodeRecord& r) {
  return {ratio(static_cast<double>(r.detected), static_cast<double>(r.reference)),
          ratio(static_cast<double>(r.confirmed), static_cast<double>(r.test)),
          ratio(static_cast<double>(r.overlap), static_cast<double>(r.reference_duration)),
          ratio(static_cast<double>(r.overlap), static_cast<double>(r.test_duration))};
}

Ec57EpisodeRecord ec57_compare_episodes(std::span<const Annotation> reference, std::span<const Annotation> test,
                                        double fs, std::int64_t num_samples, const Ec57EpisodeOptions& options,
                                        std::string record_name) {
  const std::string where = "ec57: record " + record_name + ": ";
  if (!std::isfinite(fs) || fs <= 0) throw InvalidArgument(where + "sampling frequency must be positive");
  if (!std::isfinite(options.start_s) || options.start_s < 0)
    throw InvalidArgument(where + "learning period " + seconds(options.start_s) + ": must be 0 or more");
  if (options.end_sample < -1 || options.end_sample == 0)
    throw InvalidArgument(where + "end sample must be -1 or a sample number");
  if (num_samples < 0) throw InvalidArgument(where + "negative record length");
  if (options.rhythms.empty()) throw InvalidArgument(where + "no rhythm makes up an episode (the rhythm set is empty)");
  for (const std::string& r : options.rhythms)
    if (r.empty()) throw InvalidArgument(where + "an empty rhythm name in the episode rhythm set");

  Ec57EpisodeRecord out;
  out.record = std::move(record_name);
  out.fs = fs;
  out.start_sample = static_cast<std::int64_t>(options.start_s * fs + 0.5);
  if (options.end_sample > 0) {
    out.end_sample = options.end_sample;
  } else if (num_samples > 0) {
    out.end_sample = num_samples;
  } else {  // no known length: the last annotation of either list
    for (const auto* list : {&reference, &test})
      for (const Annotation& a : *list) out.end_sample = std::max(out.end_sample, a.time);
  }
  if (out.end_sample < out.start_sample)
    throw InvalidArgument(where + "the comparison would end (sample " + std::to_string(out.end_sample) +
                          ") before it starts (sample " + std::to_string(out.start_sample) + ")");
  const auto ref = clip(ec57_episodes(reference, options.rhythms, out.end_sample), out.start_sample, out.end_sample);
  const auto tst = clip(ec57_episodes(test, options.rhythms, out.end_sample), out.start_sample, out.end_sample);
  out.reference = static_cast<std::int64_t>(ref.size());
  out.test = static_cast<std::int64_t>(tst.size());
  out.detected = overlapped(ref, tst);
  out.confirmed = overlapped(tst, ref);
  out.reference_duration = total(ref);
  out.test_duration = total(tst);
  for (const Ec57Episode& r : ref)
    for (const Ec57Episode& t : tst) out.overlap += overlap(r, t);
  return out;
}

Ec57EpisodeSummary ec57_summarize_episodes(std::span<const Ec57EpisodeRecord> records) {
  Ec57EpisodeSummary s;
  s.records = records.size();
  std::array<double, 4> sums{};
  std::array<int, 4> defined{};
  for (const Ec57EpisodeRecord& r : records) {
    s.reference += r.reference;
    s.detected += r.detected;
    s.test += r.test;
    s.confirmed += r.confirmed;
    s.reference_seconds += static_cast<double>(r.reference_duration) / r.fs;
    s.test_seconds += static_cast<double>(r.test_duration) / r.fs;
    s.overlap_seconds += static_cast<double>(r.overlap) / r.fs;
    const Ec57EpisodeStats f = ec57_episode_figures(r);
    const std::array<const std::optional<double>*, 4> v = {&f.episode_se, &f.episode_ppv, &f.duration_se, &f.duration_ppv};
    for (std::size_t i = 0; i < v.size(); ++i)
      if (*v[i]) {
        sums[i] += **v[i];
        ++defined[i];
      }
  }
  s.gross = {ratio(static_cast<double>(s.detected), static_cast<double>(s.reference)),
             ratio(static_cast<double>(s.confirmed), static_cast<double>(s.test)),
             ratio(s.overlap_seconds, s.reference_seconds), ratio(s.overlap_seconds, s.test_seconds)};
  const std::array<std::optional<double>*, 4> avg = {&s.average.episode_se, &s.average.episode_ppv,
                                                      &s.average.duration_se, &s.average.duration_ppv};
  for (std::size_t i = 0; i < avg.size(); ++i)
    if (defined[i] > 0) *avg[i] = sums[i] / defined[i];
  return s;
}

std::string ec57_episodes_table(std::span<const Ec57EpisodeRecord> records) {
  std::string out =
      "Record   Ref  TPs Test  TPp    ESe    E+P    DSe    D+P  Ref dur(s) Test dur(s)  Overlap(s)\n";
  for (const Ec57EpisodeRecord& r : records)
    append_line(out, r.record, r.reference, r.detected, r.test, r.confirmed, ec57_episode_figures(r),
                static_cast<double>(r.reference_duration) / r.fs, static_cast<double>(r.test_duration) / r.fs,
                static_cast<double>(r.overlap) / r.fs);
  const Ec57EpisodeSummary s = ec57_summarize_episodes(records);
  append_line(out, "Gross", s.reference, s.detected, s.test, s.confirmed, s.gross, s.reference_seconds, s.test_seconds,
              s.overlap_seconds);
  char b[160];
  std::snprintf(b, sizeof b, "%-7s %19s", "Average", "");
  out += b + percent(s.average.episode_se, 7) + percent(s.average.episode_ppv, 7) + percent(s.average.duration_se, 7) +
         percent(s.average.duration_ppv, 7) + "\n";
  return out;
}

std::string ec57_episodes_gross_line(const Ec57EpisodeSummary& summary) {
  const auto f = [](const std::optional<double>& v) { return v ? percent(v, 0) : std::string("-"); };
  const Ec57EpisodeStats& g = summary.gross;
  return "episodes ESe=" + f(g.episode_se) + " EPP=" + f(g.episode_ppv) + " DSe=" + f(g.duration_se) +
         " DPP=" + f(g.duration_ppv);
}

nlohmann::json ec57_episodes_json(std::span<const Ec57EpisodeRecord> records, const Ec57EpisodeOptions& options) {
  nlohmann::json recs = nlohmann::json::array();
  for (const Ec57EpisodeRecord& r : records)
    recs.push_back({{"record", r.record},
                    {"fs", r.fs},
                    {"start_sample", r.start_sample},
                    {"end_sample", r.end_sample},
                    {"reference", r.reference},
                    {"detected", r.detected},
                    {"test", r.test},
                    {"confirmed", r.confirmed},
                    {"reference_seconds", static_cast<double>(r.reference_duration) / r.fs},
                    {"test_seconds", static_cast<double>(r.test_duration) / r.fs},
                    {"overlap_seconds", static_cast<double>(r.overlap) / r.fs},
                    {"figures", figures_json(ec57_episode_figures(r))}});
  const Ec57EpisodeSummary s = ec57_summarize_episodes(records);
  return {{"comparison", "ANSI/AAMI EC38 episode by episode, following PhysioNet's epicmp AF rules"},
          {"options", {{"start_s", options.start_s}, {"end_sample", options.end_sample}, {"rhythms", options.rhythms}}},
          {"records", recs},
          {"sum",
           {{"reference", s.reference},
            {"detected", s.detected},
            {"test", s.test},
            {"confirmed", s.confirmed},
            {"reference_seconds", s.reference_seconds},
            {"test_seconds", s.test_seconds},
            {"overlap_seconds", s.overlap_seconds}}},
          {"gross", figures_json(s.gross)},
          {"average", figures_json(s.average)},
          {"totals", {{"records", s.records}}},
          {"build", build_info()}};
}

}  // namespace heartwave
