// EC57 figures and reports: bxb's per-record figures and line-format tables,
// sumstats' Sum / Gross / Average rows, the JSON document and the `gross`
// line. The formats are bxb's and sumstats' printf formats, so the text is
// theirs byte for byte; the figures are computed in the same order of
// floating-point operations, so they round alike.
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "heartwave/core/version.hpp"
#include "heartwave/eval/ec57.hpp"

namespace heartwave {

const std::array<std::string_view, kEc57Columns> kEc57ColumnNames = {
    "Nn'", "Sn'", "Vn'", "Fn'", "On'", "Ns", "Ss", "Vs", "Fs'", "Os'",
    "Nv",  "Sv",  "Vv",  "Fv'", "Ov'", "No'", "So'", "Vo'", "Fo'"};

namespace {

using C = Ec57Class;
enum Col { cNn, cSn, cVn, cFn, cOn, cNs, cSs, cVs, cFs, cOs, cNv, cSv, cVv, cFv, cOv, cNo, cSo, cVo, cFo };

void appendf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) out.append(buf, static_cast<std::size_t>(n) < sizeof buf ? static_cast<std::size_t>(n) : sizeof buf - 1);
}

// a/b in percent; undefined when b is not positive (bxb's and sumstats' rule).
std::optional<double> percent(double a, double b) {
  if (b <= 0) return std::nullopt;
  return 100. * a / b;
}

// bxb's and sumstats' way of printing a figure in a line-format table.
void figure(std::string& out, const std::optional<double>& v) {
  if (v) appendf(out, " %6.2f", *v);
  else out += "      -";
}

long long ll(std::int64_t v) { return static_cast<long long>(v); }

// Sum of the cells of rows `refs` by columns `tests`.
std::int64_t cells(const Ec57Record& r, std::initializer_list<C> refs, std::initializer_list<C> tests) {
  std::int64_t s = 0;
  for (C a : refs)
    for (C b : tests) s += r.at(a, b);
  return s;
}

std::string format_fixed(const std::optional<double>& v, int digits) {
  if (!v) return "-";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, *v);
  return b;
}

nlohmann::json to_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json figures_json(const Ec57Stats& f, bool with_rr) {
  nlohmann::json j = {{"qrs_se", to_json(f.qrs_se)},   {"qrs_ppv", to_json(f.qrs_ppv)}, {"veb_se", to_json(f.veb_se)},
                      {"veb_ppv", to_json(f.veb_ppv)}, {"veb_fpr", to_json(f.veb_fpr)}, {"sveb_se", to_json(f.sveb_se)},
                      {"sveb_ppv", to_json(f.sveb_ppv)}};
  if (with_rr) j["rr_error_ms"] = to_json(f.rr_error_ms);
  return j;
}

nlohmann::json columns_json(const Ec57Columns& c) {
  nlohmann::json j = nlohmann::json::object();
  for (int i = 0; i < kEc57Columns; ++i) j[std::string(kEc57ColumnNames[static_cast<std::size_t>(i)])] = c[static_cast<std::size_t>(i)];
  return j;
}

}  // namespace

Ec57Columns ec57_columns(const Ec57Record& r) {
  const auto nfq = {C::N, C::F, C::Q};
  const auto ox = {C::O, C::X};
  return {cells(r, {C::N}, nfq), cells(r, {C::S}, nfq), cells(r, {C::V}, nfq), cells(r, {C::F, C::Q}, nfq),
          cells(r, ox, nfq),     r.at(C::N, C::S),      r.at(C::S, C::S),      r.at(C::V, C::S),
          cells(r, {C::F, C::Q}, {C::S}), cells(r, ox, {C::S}), r.at(C::N, C::V), r.at(C::S, C::V),
          r.at(C::V, C::V),      cells(r, {C::F, C::Q}, {C::V}), cells(r, ox, {C::V}), cells(r, {C::N}, ox),
          cells(r, {C::S}, ox),  cells(r, {C::V}, ox),  cells(r, {C::F, C::Q}, ox)};
}

Ec57Stats ec57_figures(const Ec57Record& r) {
  const auto beats = {C::N, C::S, C::V, C::F, C::Q};
  const auto ox = {C::O, C::X};
  const std::int64_t qtp = cells(r, beats, beats), qfn = cells(r, beats, ox), qfp = cells(r, ox, beats);
  const std::int64_t vtp = r.at(C::V, C::V);
  const std::int64_t vfn = cells(r, {C::V}, {C::N, C::S, C::F, C::Q, C::O, C::X});
  // A V call is false only on an N or S beat or on none: F and Q called V are not false VEBs.
  const std::int64_t vfp = cells(r, {C::N, C::S, C::O, C::X}, {C::V});
  const std::int64_t vtn = cells(r, {C::N, C::S, C::F, C::Q, C::O, C::X}, {C::N, C::S, C::F, C::Q});
  const std::int64_t stp = r.at(C::S, C::S);
  const std::int64_t sfn = cells(r, {C::S}, {C::N, C::V, C::F, C::Q, C::O, C::X});
  // Nor is a Q beat called S a false SVEB (an F beat called S is one, for bxb).
  const std::int64_t sfp = cells(r, {C::N, C::V, C::F, C::O, C::X}, {C::S});
  const auto pct = [](std::int64_t a, std::int64_t b) { return percent(static_cast<double>(a), static_cast<double>(b)); };
  Ec57Stats f;
  f.qrs_se = pct(qtp, qtp + qfn);
  f.qrs_ppv = pct(qtp, qtp + qfp);
  f.veb_se = pct(vtp, vtp + vfn);
  f.veb_ppv = pct(vtp, vtp + vfp);
  f.veb_fpr = pct(vfp, vtn + vfp);
  f.sveb_se = pct(stp, stp + sfn);
  f.sveb_ppv = pct(stp, stp + sfp);
  if (r.rr_intervals > 0)
    f.rr_error_ms = std::sqrt(r.rr_sum_squares / static_cast<double>(r.rr_intervals)) * 1000. /
                    static_cast<double>(r.samples_per_second);
  return f;
}

Ec57Shutdown ec57_shutdown(const Ec57Record& r) {
  Ec57Shutdown s;
  const auto all = {C::N, C::S, C::V, C::F, C::Q, C::O, C::X};
  for (int i = 0; i < 5; ++i) {
    const C row = static_cast<C>(i);
    s.missed[static_cast<std::size_t>(i)] = r.at(row, C::X);
    s.reference[static_cast<std::size_t>(i)] = cells(r, {row}, all);
  }
  const auto beats = {C::N, C::S, C::V, C::F, C::Q};
  const std::int64_t compared = cells(r, beats, beats) + cells(r, beats, {C::O, C::X});
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  // bxb's "% beats missed" leaves S beats out of the numerator (not of the denominator).
  s.beats = percent(d(s.missed[0] + s.missed[2] + s.missed[3] + s.missed[4]), d(compared));
  s.n = percent(d(s.missed[0]), d(s.reference[0]));
  s.s = percent(d(s.missed[1]), d(s.reference[1]));
  s.v = percent(d(s.missed[2]), d(s.reference[2]));
  s.f = percent(d(s.missed[3]), d(s.reference[3]));
  s.seconds = r.shutdown_s;
  return s;
}

std::string ec57_l1_header() {
  return "Record Nn' Sn' Vn' Fn' On'  Ns  Ss  Vs  Fs' Os' Nv  Sv   Vv  Fv' Ov' No' So' Vo' Fo'"
         "  Q Se   Q +P   V Se   V +P   S Se   S +P RR err\n";
}

std::string ec57_l1_line(const Ec57Record& r) {
  const Ec57Columns c = ec57_columns(r);
  std::string out;
  appendf(out, "%4s %5lld %3lld %3lld %3lld %3lld %3lld %3lld %3lld %3lld %3lld", r.record.c_str(), ll(c[cNn]),
          ll(c[cSn]), ll(c[cVn]), ll(c[cFn]), ll(c[cOn]), ll(c[cNs]), ll(c[cSs]), ll(c[cVs]), ll(c[cFs]), ll(c[cOs]));
  appendf(out, " %3lld %3lld %4lld %3lld %3lld %3lld %3lld %3lld %3lld", ll(c[cNv]), ll(c[cSv]), ll(c[cVv]),
          ll(c[cFv]), ll(c[cOv]), ll(c[cNo]), ll(c[cSo]), ll(c[cVo]), ll(c[cFo]));
  const Ec57Stats f = ec57_figures(r);
  for (const auto& v : {f.qrs_se, f.qrs_ppv, f.veb_se, f.veb_ppv, f.sveb_se, f.sveb_ppv}) figure(out, v);
  // bxb's RR column: one character narrower when undefined.
  if (f.rr_error_ms) appendf(out, " %6.2f", *f.rr_error_ms);
  else out += "     -";
  out += "\n";
  return out;
}

std::string ec57_l1_table(std::span<const Ec57Record> records) {
  std::string out = ec57_l1_header();
  for (const auto& r : records) out += ec57_l1_line(r);
  return out;
}

std::string ec57_l2_header() {
  return "Record Nx   Sx   Vx   Fx   Qx  % beats  % N    % S    % V    % F   Total Shutdown\n"
         "                                missed missed missed missed missed      Time\n";
}

std::string ec57_l2_line(const Ec57Record& r) {
  const Ec57Shutdown s = ec57_shutdown(r);
  std::string out;
  appendf(out, "%4s %4lld %4lld %4lld %4lld %4lld  ", r.record.c_str(), ll(s.missed[0]), ll(s.missed[1]),
          ll(s.missed[2]), ll(s.missed[3]), ll(s.missed[4]));
  for (const auto& v : {s.beats, s.n, s.s, s.v, s.f}) figure(out, v);
  appendf(out, "%5lld seconds %lld %lld %lld %lld %lld\n", ll(s.seconds), ll(s.reference[0]), ll(s.reference[1]),
          ll(s.reference[2]), ll(s.reference[3]), ll(s.reference[4]));
  return out;
}

std::string ec57_l2_table(std::span<const Ec57Record> records) {
  std::string out = ec57_l2_header();
  for (const auto& r : records) out += ec57_l2_line(r);
  return out;
}

Ec57Summary ec57_summarize(std::span<const Ec57Record> records) {
  Ec57Summary s;
  // sumstats' accumulators: the sum of the per-record fractions and the number of records defining each.
  double cqs = 0, cqp = 0, cvs = 0, cvp = 0, cvf = 0, csvs = 0, csvp = 0, crre = 0;
  int nqs = 0, nqp = 0, nvs = 0, nvp = 0, nvf = 0, nsvs = 0, nsvp = 0, nrre = 0;
  for (const auto& r : records) {
    const Ec57Columns c = ec57_columns(r);
    for (int i = 0; i < kEc57Columns; ++i) s.sum[static_cast<std::size_t>(i)] += c[static_cast<std::size_t>(i)];
    const std::int64_t nn = c[cNn], sn = c[cSn], vn = c[cVn], fn = c[cFn], on = c[cOn], ns = c[cNs], ss = c[cSs],
                       vs = c[cVs], fs = c[cFs], os = c[cOs], nv = c[cNv], sv = c[cSv], vv = c[cVv], fv = c[cFv],
                       ov = c[cOv], no = c[cNo], so = c[cSo], vo = c[cVo], fo = c[cFo];
    const auto add = [](double& sum, int& n, std::int64_t a, std::int64_t b) {
      if (b) {
        sum += static_cast<double>(a) / static_cast<double>(b);
        ++n;
      }
    };
    const std::int64_t qtp = nn + ns + nv + sn + ss + sv + vn + vs + vv + fn + fs + fv;
    add(cqs, nqs, qtp, qtp + no + so + vo + fo);
    add(cqp, nqp, qtp, qtp + on + os + ov);
    add(cvs, nvs, vv, vn + vs + vv + vo);
    add(cvp, nvp, vv, nv + sv + vv + ov);
    add(csvs, nsvs, ss, sn + ss + sv + so);
    add(csvp, nsvp, ss, ns + ss + vs + os);
    add(cvf, nvf, nv + sv + ov, nn + sn + fn + on + ns + ss + fs + os + nv + sv + ov);
    // sumstats reads the RR error back from the printed line.
    if (const auto rr = ec57_figures(r).rr_error_ms) {
      char b[64];
      std::snprintf(b, sizeof b, "%6.2f", *rr);
      crre += std::strtod(b, nullptr);
      ++nrre;
    }
    ++s.records;
  }
  const Ec57Columns& t = s.sum;
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  const std::int64_t qtp =
      t[cNn] + t[cNs] + t[cNv] + t[cSn] + t[cSs] + t[cSv] + t[cVn] + t[cVs] + t[cVv] + t[cFn] + t[cFs] + t[cFv];
  const std::int64_t qfn = t[cNo] + t[cSo] + t[cVo] + t[cFo], qfp = t[cOn] + t[cOs] + t[cOv];
  s.gross.qrs_se = percent(d(qtp), d(qtp + qfn));
  s.gross.qrs_ppv = percent(d(qtp), d(qtp + qfp));
  s.gross.veb_se = percent(d(t[cVv]), d(t[cVn] + t[cVs] + t[cVv] + t[cVo]));
  s.gross.veb_ppv = percent(d(t[cVv]), d(t[cNv] + t[cSv] + t[cVv] + t[cOv]));
  s.gross.sveb_se = percent(d(t[cSs]), d(t[cSn] + t[cSs] + t[cSv] + t[cSo]));
  s.gross.sveb_ppv = percent(d(t[cSs]), d(t[cNs] + t[cSs] + t[cVs] + t[cOs]));
  const std::int64_t vfp = t[cNv] + t[cSv] + t[cOv];
  s.gross.veb_fpr = percent(d(vfp), d(t[cNn] + t[cSn] + t[cFn] + t[cOn] + t[cNs] + t[cSs] + t[cFs] + t[cOs] + vfp));
  s.average.qrs_se = percent(cqs, nqs);
  s.average.qrs_ppv = percent(cqp, nqp);
  s.average.veb_se = percent(cvs, nvs);
  s.average.veb_ppv = percent(cvp, nvp);
  s.average.veb_fpr = percent(cvf, nvf);
  s.average.sveb_se = percent(csvs, nsvs);
  s.average.sveb_ppv = percent(csvp, nsvp);
  s.average.rr_error_ms = percent(crre / 100.0, nrre);
  s.total_qrs = qtp + qfn;
  s.total_veb = t[cVn] + t[cVs] + t[cVv] + t[cVo];
  s.total_sveb = t[cSn] + t[cSs] + t[cSv] + t[cSo];
  return s;
}

std::string ec57_sumstats(std::span<const Ec57Record> records) {
  const Ec57Summary s = ec57_summarize(records);
  const Ec57Columns& t = s.sum;
  std::string out = ec57_l1_table(records);
  out += std::string(132, '_') + "\n";
  appendf(out, "Sum %6lld %3lld %3lld %3lld %3lld", ll(t[cNn]), ll(t[cSn]), ll(t[cVn]), ll(t[cFn]), ll(t[cOn]));
  appendf(out, " %3lld %3lld %3lld %3lld %3lld", ll(t[cNs]), ll(t[cSs]), ll(t[cVs]), ll(t[cFs]), ll(t[cOs]));
  appendf(out, " %3lld %3lld %4lld %3lld %3lld", ll(t[cNv]), ll(t[cSv]), ll(t[cVv]), ll(t[cFv]), ll(t[cOv]));
  appendf(out, " %3lld %3lld %3lld %3lld\n", ll(t[cNo]), ll(t[cSo]), ll(t[cVo]), ll(t[cFo]));
  // The figures start in column 84, under the table's.
  out += "Gross" + std::string(78, ' ');
  for (const auto& v : {s.gross.qrs_se, s.gross.qrs_ppv, s.gross.veb_se, s.gross.veb_ppv, s.gross.sveb_se, s.gross.sveb_ppv})
    figure(out, v);
  out += "\nAverage" + std::string(76, ' ');
  for (const auto& v : {s.average.qrs_se, s.average.qrs_ppv, s.average.veb_se, s.average.veb_ppv, s.average.sveb_se,
                        s.average.sveb_ppv, s.average.rr_error_ms})
    figure(out, v);
  appendf(out, "\nTotal QRS complexes: %lld  Total VEBs: %lld  Total SVEBs: %lld\n", ll(s.total_qrs), ll(s.total_veb),
          ll(s.total_sveb));
  appendf(out, "\nSummary of results from %zu record%s\n", s.records, s.records == 1 ? "" : "s");
  return out;
}

std::string ec57_gross_line(const Ec57Summary& s) {
  const Ec57Stats& g = s.gross;
  return "gross QRS_Se=" + format_fixed(g.qrs_se, 2) + " QRS_PP=" + format_fixed(g.qrs_ppv, 2) +
         " VEB_Se=" + format_fixed(g.veb_se, 2) + " VEB_PP=" + format_fixed(g.veb_ppv, 2) +
         " VEB_FPR=" + format_fixed(g.veb_fpr, 3) + " SVEB_Se=" + format_fixed(g.sveb_se, 2) +
         " SVEB_PP=" + format_fixed(g.sveb_ppv, 2);
}

nlohmann::json ec57_json(std::span<const Ec57Record> records, const Ec57Options& options) {
  static constexpr char kNames[] = "NSVFQOX";
  nlohmann::json recs = nlohmann::json::array();
  for (const auto& r : records) {
    nlohmann::json counts = nlohmann::json::object();
    for (int a = 0; a < kEc57Classes; ++a)
      for (int b = 0; b < kEc57Classes; ++b) {
        if (a >= 5 && b >= 5) continue;  // no O/X row against an O/X column
        const std::string key{kNames[a], static_cast<char>(kNames[b] - 'A' + 'a')};
        counts[key] = r.counts[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
      }
    const Ec57Shutdown sd = ec57_shutdown(r);
    recs.push_back({{"record", r.record},
                    {"fs", r.fs},
                    {"window_samples", r.window_samples},
                    {"start_sample", r.start_sample},
                    {"end_sample", r.end_sample},
                    {"counts", counts},
                    {"columns", columns_json(ec57_columns(r))},
                    {"figures", figures_json(ec57_figures(r), true)},
                    {"rr_intervals", r.rr_intervals},
                    {"shutdown", {{"seconds", sd.seconds},
                                  {"missed", {{"N", sd.missed[0]}, {"S", sd.missed[1]}, {"V", sd.missed[2]},
                                              {"F", sd.missed[3]}, {"Q", sd.missed[4]}}},
                                  {"reference_beats", {{"N", sd.reference[0]}, {"S", sd.reference[1]},
                                                       {"V", sd.reference[2]}, {"F", sd.reference[3]},
                                                       {"Q", sd.reference[4]}}}}}});
  }
  const Ec57Summary s = ec57_summarize(records);
  return {{"comparison", "ANSI/AAMI EC57 beat by beat, as PhysioNet's bxb -L and sumstats (WFDB 10.7)"},
          {"options", {{"window_s", options.window_s}, {"start_s", options.start_s}, {"end_sample", options.end_sample}}},
          {"records", recs},
          {"sum", columns_json(s.sum)},
          {"gross", figures_json(s.gross, false)},
          {"average", figures_json(s.average, true)},
          {"totals", {{"records", s.records}, {"qrs", s.total_qrs}, {"veb", s.total_veb}, {"sveb", s.total_sveb}}},
          {"build", build_info()}};
}

}  // namespace heartwave
