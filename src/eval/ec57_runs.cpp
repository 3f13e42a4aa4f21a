// The EC57 run-by-run comparison (rxr's rules): runs are found in one
// annotator's beats, and each is looked for in the other annotator's beats
// inside its match window; counts, figures, tables, JSON.
#include "heartwave/eval/ec57_runs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/core/version.hpp"
#include "ec57_common.hpp"

namespace heartwave {
namespace {

using ec57_detail::percent;
using ec57_detail::seconds;

std::optional<double> ratio(std::int64_t a, std::int64_t b) {
  return ec57_detail::ratio(static_cast<double>(a), static_cast<double>(b));
}

constexpr std::array<char, kEc57RunTypes> kTypeClass = {'V', 'S'};
// The shortest run of each length class: what the other annotator must show.
constexpr std::array<int, kEc57RunLengths> kShortest = {2, 3, 6};

// A list's beats with a class (time order checked).
struct Beats {
  std::vector<std::int64_t> time;
  std::vector<char> cls;
};

Beats beats_of(std::span<const Annotation> anns, const char* what, const std::string& record) {
  Beats b;
  for (const Annotation& a : anns) {
    const char c = ec57_beat_class(a.code);
    if (c == 0 || c == 'O') continue;  // not a beat, or one with no class: ignored
    if (!b.time.empty() && a.time < b.time.back())
      throw InvalidArgument("ec57: record " + record + ": " + what + " beat at sample " + std::to_string(a.time) +
                            " comes after one at " + std::to_string(b.time.back()) +
                            " (annotations must be in time order)");
    b.time.push_back(a.time);
    b.cls.push_back(c);
  }
  return b;
}

// The longest run of class `c` among the beats in [t0, t1], up to 6.
int longest_in_window(const Beats& b, char c, std::int64_t t0, std::int64_t t1) {
  auto i = static_cast<std::size_t>(std::lower_bound(b.time.begin(), b.time.end(), t0) - b.time.begin());
  int best = 0, cur = 0;
  for (; i < b.time.size() && b.time[i] <= t1; ++i) {
    cur = b.cls[i] == c ? cur + 1 : 0;
    best = std::max(best, cur);
  }
  return std::min(best, kEc57MaxRun);
}

int length_class(int length) { return length >= kEc57MaxRun ? 2 : length >= 3 ? 1 : length == 2 ? 0 : -1; }

// Finds the runs of class `c` in `def` over [start, end] (end < 0: none) and
// tallies, for each, its length against the longest run of `other` in its
// window. `ref_defines`: the matrix is [def][other] (sensitivity), else
// [other][def] (predictivity). Returns, per length class, {runs, matched}.
std::array<std::pair<std::int64_t, std::int64_t>, kEc57RunLengths> tally(const Beats& def, const Beats& other, char c,
                                                                        std::int64_t start, std::int64_t end,
                                                                        std::int64_t window, bool ref_defines,
                                                                        Ec57RunMatrix& matrix) {
  std::array<std::pair<std::int64_t, std::int64_t>, kEc57RunLengths> out{};
  const auto close = [&](std::int64_t first, std::int64_t last, std::int64_t n) {
    const int len = static_cast<int>(std::min<std::int64_t>(n, kEc57MaxRun));
    const int found = longest_in_window(other, c, first - window, last + window);
    ++(ref_defines ? matrix[static_cast<std::size_t>(len)][static_cast<std::size_t>(found)]
                   : matrix[static_cast<std::size_t>(found)][static_cast<std::size_t>(len)]);
    const int k = length_class(len);
    if (k < 0) return;
    auto& slot = out[static_cast<std::size_t>(k)];
    ++slot.first;
    if (found >= kShortest[static_cast<std::size_t>(k)]) ++slot.second;
  };
  std::int64_t n = 0, first = 0, last = 0;
  for (std::size_t i = 0; i < def.time.size(); ++i) {
    const std::int64_t t = def.time[i];
    if (t < start) continue;
    if (end >= 0 && t > end) break;
    if (def.cls[i] == c) {
      if (n++ == 0) first = t;
      last = t;
    } else if (n > 0) {
      close(first, last, n);
      n = 0;
    }
  }
  if (n > 0) close(first, last, n);  // a run open at the end of the comparison counts
  return out;
}

using Counts = std::array<std::array<Ec57RunCounts, kEc57RunLengths>, kEc57RunTypes>;

void append_line(std::string& out, const std::string& name, const Counts& c, std::size_t type) {
  char b[64];
  std::snprintf(b, sizeof b, "%-6s", name.c_str());
  out += b;
  for (const Ec57RunCounts& k : c[type]) {
    const Ec57RunStats f = ec57_run_figures(k);
    std::snprintf(b, sizeof b, " %5lld %4lld %5lld %4lld", static_cast<long long>(k.reference),
                  static_cast<long long>(k.detected), static_cast<long long>(k.test), static_cast<long long>(k.confirmed));
    out += b + percent(f.se, 7) + percent(f.ppv, 7);
  }
  out += '\n';
}

nlohmann::json to_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json counts_json(const Counts& c) {
  static constexpr const char* kTypes[] = {"ventricular", "supraventricular"};
  static constexpr const char* kLengths[] = {"couplet", "short", "long"};
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t t = 0; t < c.size(); ++t)
    for (std::size_t k = 0; k < c[t].size(); ++k) {
      const Ec57RunCounts& x = c[t][k];
      const Ec57RunStats f = ec57_run_figures(x);
      j[kTypes[t]][kLengths[k]] = {{"reference", x.reference}, {"detected", x.detected}, {"test", x.test},
                                   {"confirmed", x.confirmed}, {"se", to_json(f.se)},    {"ppv", to_json(f.ppv)}};
    }
  return j;
}

nlohmann::json matrices_json(const std::array<Ec57RunMatrix, kEc57RunTypes>& se,
                             const std::array<Ec57RunMatrix, kEc57RunTypes>& pp) {
  static constexpr const char* kTypes[] = {"ventricular", "supraventricular"};
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t t = 0; t < se.size(); ++t) j[kTypes[t]] = {{"sensitivity", se[t]}, {"predictivity", pp[t]}};
  return j;
}

}  // namespace

Ec57RunStats ec57_run_figures(const Ec57RunCounts& c) { return {ratio(c.detected, c.reference), ratio(c.confirmed, c.test)}; }

Ec57RunRecord ec57_compare_runs(std::span<const Annotation> reference, std::span<const Annotation> test, double fs,
                                std::int64_t num_samples, const Ec57Options& options, std::string record_name) {
  const std::string where = "ec57: record " + record_name + ": ";
  ec57_detail::check_compare_options(fs, num_samples, options, record_name);
  const Beats ref = beats_of(reference, "reference", record_name);
  const Beats tst = beats_of(test, "test", record_name);

  Ec57RunRecord out;
  out.record = std::move(record_name);
  out.fs = fs;
  out.window_samples = static_cast<std::int64_t>(options.window_s * fs + 0.5);
  out.start_sample = static_cast<std::int64_t>(options.start_s * fs + 0.5);
  out.end_sample = options.end_sample > 0 ? options.end_sample : (options.end_sample < 0 && num_samples > 0 ? num_samples : -1);
  if (out.end_sample > 0 && out.end_sample < out.start_sample)
    throw InvalidArgument(where + "the comparison would end (sample " + std::to_string(out.end_sample) +
                          ") before it starts (sample " + std::to_string(out.start_sample) + ")");
  for (std::size_t t = 0; t < kEc57RunTypes; ++t) {
    const auto se = tally(ref, tst, kTypeClass[t], out.start_sample, out.end_sample, out.window_samples, true,
                          out.sensitivity[t]);
    const auto pp = tally(tst, ref, kTypeClass[t], out.start_sample, out.end_sample, out.window_samples, false,
                          out.predictivity[t]);
    for (std::size_t k = 0; k < kEc57RunLengths; ++k) {
      out.counts[t][k].reference = se[k].first;
      out.counts[t][k].detected = se[k].second;
      out.counts[t][k].test = pp[k].first;
      out.counts[t][k].confirmed = pp[k].second;
    }
  }
  return out;
}

Ec57RunSummary ec57_summarize_runs(std::span<const Ec57RunRecord> records) {
  Ec57RunSummary s;
  s.records = records.size();
  for (const Ec57RunRecord& r : records)
    for (std::size_t t = 0; t < kEc57RunTypes; ++t) {
      for (std::size_t k = 0; k < kEc57RunLengths; ++k) {
        s.sum[t][k].reference += r.counts[t][k].reference;
        s.sum[t][k].detected += r.counts[t][k].detected;
        s.sum[t][k].test += r.counts[t][k].test;
        s.sum[t][k].confirmed += r.counts[t][k].confirmed;
      }
      for (std::size_t i = 0; i <= kEc57MaxRun; ++i)
        for (std::size_t j = 0; j <= kEc57MaxRun; ++j) {
          s.sensitivity[t][i][j] += r.sensitivity[t][i][j];
          s.predictivity[t][i][j] += r.predictivity[t][i][j];
        }
    }
  return s;
}

std::string ec57_runs_table(std::span<const Ec57RunRecord> records) {
  static constexpr const char* kTitles[] = {"Ventricular runs (consecutive V beats)",
                                            "Supraventricular runs (consecutive S beats)"};
  const Ec57RunSummary s = ec57_summarize_runs(records);
  std::string out;
  for (std::size_t t = 0; t < kEc57RunTypes; ++t) {
    if (t > 0) out += '\n';
    out += kTitles[t];
    out += ": C couplets (2 beats), S short runs (3-5), L long runs (6 or more)\n";
    out += "Record";
    for (const char c : {'C', 'S', 'L'}) {
      char b[96];
      std::snprintf(b, sizeof b, "  %cref  %cTs %ctest  %cTp    %cSe    %c+P", c, c, c, c, c, c);
      out += b;
    }
    out += '\n';
    for (const Ec57RunRecord& r : records) append_line(out, r.record, r.counts, t);
    append_line(out, "Gross", s.sum, t);
  }
  return out;
}

std::string ec57_runs_gross_line(const Ec57RunSummary& summary) {
  std::string out = "runs";
  for (std::size_t t = 0; t < kEc57RunTypes; ++t)
    for (std::size_t k = 0; k < kEc57RunLengths; ++k) {
      const Ec57RunStats f = ec57_run_figures(summary.sum[t][k]);
      const std::string key = std::string(1, kTypeClass[t]) + "CSL"[k];
      out += " " + key + "_Se=" + (f.se ? percent(f.se, 0) : "-") + " " + key + "_PP=" + (f.ppv ? percent(f.ppv, 0) : "-");
    }
  return out;
}

nlohmann::json ec57_runs_json(std::span<const Ec57RunRecord> records, const Ec57Options& options) {
  nlohmann::json recs = nlohmann::json::array();
  for (const Ec57RunRecord& r : records) {
    nlohmann::json j = {{"record", r.record},
                        {"fs", r.fs},
                        {"window_samples", r.window_samples},
                        {"start_sample", r.start_sample},
                        {"end_sample", r.end_sample}};
    j.update(counts_json(r.counts));
    j["matrices"] = matrices_json(r.sensitivity, r.predictivity);
    recs.push_back(std::move(j));
  }
  const Ec57RunSummary s = ec57_summarize_runs(records);
  nlohmann::json gross = counts_json(s.sum);
  gross["matrices"] = matrices_json(s.sensitivity, s.predictivity);
  return {{"comparison", "ANSI/AAMI EC57 run by run, following PhysioNet's rxr rules"},
          {"options", {{"window_s", options.window_s}, {"start_s", options.start_s}, {"end_sample", options.end_sample}}},
          {"records", recs},
          {"gross", gross},
          {"totals", {{"records", s.records}}},
          {"build", build_info()}};
}


}  // namespace heartwave
