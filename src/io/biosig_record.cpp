// The only file that includes biosig.h: libbiosig's headers declare a few
// hundred global names (enum FileFormat holds EDF, ASCII, native, ...).
//
// libbiosig decodes (header, scaling, EDF+ annotations). What libbiosig
// 3.0.1 (Debian 2.5.0) would trust unchecked, and how it is handled:
//  - sopen parses the EDF+ patient and recording fields and the
//    annotations (TALs) of every data record with strtok/strchr and no
//    bounds, and picks its reader by signatures some of which can lie in an
//    EDF header: biosig_checks.cpp checks those before sopen sees the file.
//  - its GDF header parser indexes a table with the file's data type and
//    trusts tag lengths; its SCP-ECG decoder calls exit() when it cannot
//    allocate. Neither format reaches sopen.
//  - sread does not check the file length (a truncated file reads garbage)
//    and reads wrongly from any record but the first (a cache offset bug):
//    the size is checked first and every read takes the whole file.
//  - sread returns every signal at the least common multiple of the
//    samples per record (values repeated), which can be thousands of times
//    the file's size: each group of signals with the same samples per
//    record is read on its own, HDRTYPE::SPR set to theirs.
#include "heartwave/io/biosig_record.hpp"

#include <biosig.h>
#include <dlfcn.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>

#include "heartwave/core/error.hpp"
#include "biosig_checks.hpp"

namespace heartwave {
namespace {

using biosig_checks::biosig_label;
using biosig_checks::check_edf;
using biosig_checks::EdfHeader;
using biosig_checks::field_text;
using biosig_checks::is_space;

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}


// libbiosig, loaded the first time a file is read: it and the libraries it
// brings (DCMTK, ICU, libxml2, ...) would otherwise be loaded at the start of
// every heartwave process (3 ms each), as libcurl would (fetch.cpp).
struct Biosig {
  decltype(&::constructHDR) construct;
  decltype(&::destructHDR) destruct;
  decltype(&::sopen) open;
  decltype(&::sclose) close;
  decltype(&::sread) read;
  decltype(&::biosig_check_error) check_error;
  decltype(&::biosig_get_errormsg) errormsg;
  decltype(&::PhysDimScale) dim_scale;
};

template <class F>
void bind(void* lib, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  if (!f) throw UnsupportedError(std::string("libbiosig.so.3 has no ") + name);
}

const Biosig& biosig() {
  static std::once_flag once;
  static Biosig api{};
  static std::string failure;
  std::call_once(once, [] {
    void* lib = dlopen("libbiosig.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      failure = std::string("reading EDF/BDF needs libbiosig (Debian: libbiosig3): ") + dlerror();
      return;
    }
    try {
      bind(lib, "constructHDR", api.construct);
      bind(lib, "destructHDR", api.destruct);
      bind(lib, "sopen", api.open);
      bind(lib, "sclose", api.close);
      bind(lib, "sread", api.read);
      bind(lib, "biosig_check_error", api.check_error);
      bind(lib, "biosig_get_errormsg", api.errormsg);
      bind(lib, "PhysDimScale", api.dim_scale);
    } catch (const UnsupportedError& e) {
      failure = e.what();
      api = Biosig{};
    }
  });
  if (!api.open) throw UnsupportedError(failure);
  return api;
}

struct Closer {
  void operator()(HDRTYPE* h) const {
    biosig().close(h);
    biosig().destruct(h);
  }
};
using Handle = std::unique_ptr<HDRTYPE, Closer>;

// libbiosig keeps global state (error variables, event code tables).
std::mutex& biosig_mutex() {
  static std::mutex m;
  return m;
}

std::string error_message(HDRTYPE* h) {
  char* m = biosig().errormsg(h);
  std::string s = m ? m : "";
  std::free(m);
  while (!s.empty() && is_space(s.back())) s.pop_back();
  return s.empty() ? "error " + std::to_string(biosig().check_error(h)) : s;
}

Handle open_file(const std::string& name) {
  const Biosig& api = biosig();
  HDRTYPE* h = api.construct(0, 0);
  if (!h) throw IoError(name + ": libbiosig could not allocate a header");
  // Overflow detection would turn every sample at the digital minimum or
  // maximum into NaN; converted files put their extreme samples there.
  h->FLAG.OVERFLOWDETECTION = 0;
  h->FLAG.UCAL = 0;
  h->FLAG.ANONYMOUS = 1;
  h->FLAG.ROW_BASED_CHANNELS = 0;
  h = api.open(name.c_str(), "r", h);
  Handle handle(h);
  if (!h) throw IoError(name + ": libbiosig could not open the file");
  if (const int err = api.check_error(h)) {
    const std::string what = name + ": libbiosig: " + error_message(h);
    if (err == B4C_CANNOT_OPEN_FILE) throw IoError(what);
    if (err == B4C_FORMAT_UNKNOWN || err == B4C_FORMAT_UNSUPPORTED || err == B4C_DATATYPE_UNSUPPORTED)
      throw UnsupportedError(what);
    throw FormatError(what);
  }
  return handle;
}

// gdf_time (days since year 0 in 2^-32 units) as ISO-8601, to the millisecond.
std::string iso_time(gdf_time t) {
  if (t == 0) return "";
  const double unix_s = (std::ldexp(static_cast<double>(t), -32) - 719529.0) * 86400.0;
  if (!std::isfinite(unix_s) || std::abs(unix_s) > 1e13) return "";
  const long long ms = std::llround(unix_s * 1000.0);
  long long secs = ms / 1000, frac = ms % 1000;
  if (frac < 0) frac += 1000, --secs;
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (!gmtime_r(&tt, &tm)) return "";
  char buf[48];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string s = buf;
  if (frac) {
    std::snprintf(buf, sizeof buf, ".%03lld", frac);
    s += buf;
  }
  return s;
}

// Checks a signal's scaling, fills its unit; returns the factor to the output unit.
double plan_signal(const std::string& name, const CHANNEL_TYPE& c, int k, const EdfHeader& e, BiosigSignal& s,
                   bool& voltage) {
  const std::string where = name + ": signal " + std::to_string(k + 1) + " ('" + s.label + "')";
  if (!std::isfinite(c.PhysMin) || !std::isfinite(c.PhysMax) || !std::isfinite(c.DigMin) || !std::isfinite(c.DigMax))
    throw FormatError(where + ": physical or digital range is not a number");
  if (c.PhysMin == c.PhysMax)
    throw FormatError(where + ": physical minimum equals physical maximum (" + fmt(c.PhysMin) + ")");
  if (!(c.DigMax > c.DigMin))
    throw FormatError(where + ": digital maximum (" + fmt(c.DigMax) + ") is not above digital minimum (" +
                      fmt(c.DigMin) + ")");
  if (!std::isfinite(c.Cal) || !std::isfinite(c.Off)) throw FormatError(where + ": scaling is not finite");
  s.physical_min = c.PhysMin, s.physical_max = c.PhysMax, s.digital_min = c.DigMin, s.digital_max = c.DigMax;
  const std::string& text = e.units[static_cast<std::size_t>(k)];
  std::uint16_t code = c.PhysDimCode;
  if (code == 0 && (text == "\xb5V" || text == "\xc2\xb5V")) code = 4275;  // uV; micro sign, Latin-1 / UTF-8
  const double scale = biosig().dim_scale(code);
  voltage = (code & 0xffe0) == 4256 && std::isfinite(scale) && scale > 0;  // 4256: volt; low bits: SI prefix
  s.unit = voltage ? "mV" : text;
  return voltage ? scale * 1e3 : 1.0;
}

struct Mark {
  std::size_t sample;
  double onset;  // seconds after T0
};

// EDF+D: sopen turns each data record's time keeping into an event 0x7ffe
// (start of a segment) at the record's first sample, time stamped.
std::vector<Mark> record_onsets(const std::string& name, HDRTYPE* h, std::size_t spr_out, std::size_t n) {
  std::vector<Mark> marks;
  // EVENT.POS is 32-bit: record k's first sample k x SPR must fit.
  if (!h->EVENT.TimeStamp || h->SPR == 0 || static_cast<std::uint64_t>(h->NRec) * h->SPR > 0xffffffffu)
    throw UnsupportedError(name + ": EDF+D record start times are not available through libbiosig");
  if (!h->EVENT.TYP || !h->EVENT.POS) return marks;
  for (std::uint32_t i = 0; i < h->EVENT.N; ++i) {
    if (h->EVENT.TYP[i] != 0x7ffe || h->EVENT.POS[i] % h->SPR) continue;
    const std::size_t pos = h->EVENT.POS[i] / h->SPR * spr_out;
    if (pos >= n) throw FormatError(name + ": record start past the end of the data");
    marks.push_back({pos, (std::ldexp(static_cast<double>(h->EVENT.TimeStamp[i]), -32) -
                           std::ldexp(static_cast<double>(h->T0), -32)) * 86400.0});
  }
  std::stable_sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.sample < b.sample; });
  return marks;
}

// Splits n samples at fs into back-to-back segments; onsets relative to the
// first record's. Throws on records that overlap.
std::vector<BiosigSegment> make_segments(const std::string& name, const std::vector<Mark>& marks, std::size_t n,
                                         double fs) {
  std::vector<BiosigSegment> segs{{0, n, !marks.empty() && marks[0].sample == 0 ? marks[0].onset : 0.0}};
  const double tol = std::max(2e-4, 0.5 / fs);
  for (const Mark& m : marks) {
    BiosigSegment& cur = segs.back();
    const double expected = cur.onset_s + static_cast<double>(m.sample - cur.first_sample) / fs;
    const double gap = m.onset - expected;
    if (std::abs(gap) <= tol) continue;
    if (m.sample == cur.first_sample)
      throw FormatError(name + ": two start times for the data record at sample " + std::to_string(m.sample));
    if (gap < 0)
      throw FormatError(name + ": data starting at sample " + std::to_string(m.sample) + " begins at " +
                        fmt(m.onset - segs[0].onset_s) + " s, before the data before it ends (" +
                        fmt(expected - segs[0].onset_s) + " s)");
    cur.num_samples = m.sample - cur.first_sample;
    segs.push_back({m.sample, n - m.sample, m.onset});
  }
  const double t0 = segs[0].onset_s;
  for (BiosigSegment& s : segs) s.onset_s -= t0;
  return segs;
}

std::string describe_gaps(const std::vector<BiosigSegment>& segs, double fs) {
  std::string out;
  for (std::size_t i = 1; i < segs.size(); ++i) {
    const double end = segs[i - 1].onset_s + static_cast<double>(segs[i - 1].num_samples) / fs;
    out += (i > 1 ? "; at " : "at ") + fmt(end) + " s for " + fmt(segs[i].onset_s - end) + " s";
  }
  return out;
}

}  // namespace

BiosigRecording read_biosig_record(const std::filesystem::path& file, const BiosigOptions& options) {
  const std::string name = file.string();
  BiosigRecording out;
  out.recording.name = file.stem().string();
  const EdfHeader e = check_edf(file, out.warnings);
  out.format = e.format;
  out.num_records = static_cast<std::size_t>(e.num_records);
  out.num_records_derived = e.num_records_derived;

  std::lock_guard<std::mutex> lock(biosig_mutex());
  Handle handle = open_file(name);
  HDRTYPE* h = handle.get();
  if (h->TYPE != (e.bdf ? BDF : EDF)) throw FormatError(name + ": libbiosig reads it as another format (" + std::to_string(h->TYPE) + ")");
  if (h->NS != e.ns || h->AS.bpb != e.bytes_per_record || h->NRec < 0 ||
      static_cast<std::uint64_t>(h->NRec) != e.num_records || h->HeadLen != e.header_bytes)
    throw FormatError(name + ": libbiosig reads the header differently (" + std::to_string(h->NS) + " signals, " +
                      std::to_string(h->AS.bpb) + " bytes per record, " + std::to_string(h->NRec) + " records)");
  out.start_time = iso_time(h->T0);

  // The signals (annotations and BDF's Status, which sopen turns off, aside).
  std::vector<int> channel;
  std::vector<double> factor;
  std::vector<char> voltage;
  std::size_t max_spr = 0;
  for (int k = 0; k < h->NS; ++k) {
    const CHANNEL_TYPE& c = h->CHANNEL[k];
    if (!c.OnOff) continue;
    BiosigSignal s;
    s.label = std::string(field_text(biosig_label(std::string_view(c.Label, strnlen(c.Label, sizeof c.Label)))));
    if (c.SPR == 0) {
      out.warnings.push_back(name + ": signal " + std::to_string(k + 1) + " ('" + s.label + "') has no samples");
      continue;
    }
    bool volt = false;
    factor.push_back(plan_signal(name, c, k, e, s, volt));
    voltage.push_back(volt);
    channel.push_back(k);
    s.samples_per_record = c.SPR;
    s.header_fs = c.SPR / e.duration_value;
    s.fs = options.recover_rate ? recover_sampling_rate(c.SPR, e.duration) : s.header_fs;
    out.signals.push_back(std::move(s));
    max_spr = std::max<std::size_t>(max_spr, c.SPR);
  }
  const bool has_samples = e.num_records > 0 && max_spr > 0;
  if (has_samples && !(e.duration_value > 0))
    throw FormatError(name + ": data record duration '" + e.duration + "' is not a positive number");
  // Recovered rates must agree on one record duration.
  for (BiosigSignal& s : out.signals) {
    const BiosigSignal& ref = out.signals.front();
    if (!has_samples) {
      s.fs = s.header_fs = 0.0;
    } else if (std::abs(s.fs * ref.samples_per_record - ref.fs * s.samples_per_record) >
               1e-9 * s.fs * ref.samples_per_record) {
      out.warnings.push_back(name + ": sampling rates recovered inconsistently; the header's rates are used");
      for (BiosigSignal& t : out.signals) t.fs = t.header_fs;
      break;
    }
  }
  out.record_duration_s = has_samples ? out.signals.front().samples_per_record / out.signals.front().fs
                                      : e.duration_value;

  // Recording::fs: the fastest voltage signal (or the fastest of all).
  double fs = 0.0;
  const bool any_voltage = std::find(voltage.begin(), voltage.end(), 1) != voltage.end();
  for (std::size_t i = 0; i < out.signals.size(); ++i)
    if (voltage[i] || !any_voltage) fs = std::max(fs, out.signals[i].fs);
  out.recording.fs = fs;
  std::size_t spr_out = 0;
  for (BiosigSignal& s : out.signals) {
    s.in_recording = !has_samples || std::abs(s.fs - fs) <= 1e-9 * fs;
    if (s.in_recording) spr_out = s.samples_per_record;
  }

  // One group of signals with the same samples per record at a time.
  std::vector<std::vector<double>> data(out.signals.size());
  const std::uint32_t lcm_spr = h->SPR;
  const std::size_t nrec = out.num_records;
  for (std::size_t g = 0; g < out.signals.size() && has_samples; ++g) {
    if (!data[g].empty()) continue;
    const std::uint32_t spr = h->CHANNEL[channel[g]].SPR;
    std::vector<std::size_t> members;
    for (int k = 0; k < h->NS; ++k) h->CHANNEL[k].OnOff = 0;
    for (std::size_t i = g; i < out.signals.size(); ++i)
      if (h->CHANNEL[channel[i]].SPR == spr) members.push_back(i), h->CHANNEL[channel[i]].OnOff = 1;
    h->SPR = spr;
    const std::size_t got = biosig().read(nullptr, 0, nrec, h);
    h->SPR = lcm_spr;
    if (biosig().check_error(h)) throw FormatError(name + ": libbiosig: " + error_message(h));
    const std::size_t rows = nrec * spr;
    if (got != nrec || !h->data.block || h->data.size[0] != rows || h->data.size[1] != members.size())
      throw FormatError(name + ": libbiosig read " + std::to_string(got) + " of " + std::to_string(nrec) +
                        " data records");
    for (std::size_t j = 0; j < members.size(); ++j) {
      const double* col = h->data.block + j * rows;
      std::vector<double>& v = data[members[j]];
      v.resize(rows);
      for (std::size_t t = 0; t < rows; ++t) v[t] = col[t] * factor[members[j]];
    }
  }

  const std::size_t n = has_samples ? nrec * spr_out : 0;
  out.segments = make_segments(name, e.discontinuous && has_samples ? record_onsets(name, h, spr_out, n)
                                                                    : std::vector<Mark>{},
                               n, fs > 0 ? fs : 1.0);
  if (out.segments.size() > 1 && !options.allow_discontinuous)
    throw UnsupportedError(name + ": " + out.format + " file with " + std::to_string(out.segments.size() - 1) +
                           " gap(s) between its data records (seconds after the start): " +
                           describe_gaps(out.segments, fs) + "; heartwave reads continuous recordings only");

  Recording& r = out.recording;
  for (std::size_t i = 0; i < out.signals.size(); ++i) {
    BiosigSignal& s = out.signals[i];
    if (!s.in_recording) {
      s.samples = std::move(data[i]);
      continue;
    }
    r.leads.push_back(s.label);
    r.units.push_back(s.unit);
    r.samples.push_back(std::move(data[i]));
  }
  return out;
}

Recording read_biosig(const std::filesystem::path& file, const BiosigOptions& options) {
  return std::move(read_biosig_record(file, options).recording);
}


}  // namespace heartwave
