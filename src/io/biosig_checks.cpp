// The checks of biosig_checks.hpp, and the parts of the public API that
// need no libbiosig. Each check follows the way libbiosig 3.0.1's sopen
// walks an EDF/BDF file (its source, biosig.c, and fuzz/fuzz_edf).
#include "biosig_checks.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <type_traits>

#include "heartwave/core/error.hpp"
#include "heartwave/io/biosig_record.hpp"

namespace heartwave {
namespace biosig_checks {

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static std::string_view until_nul(std::string_view s) { return s.substr(0, s.find('\0')); }

// A header field as atoi/atof see it: leading white space skipped; the
// number must then fill the field up to trailing spaces or NULs.
std::string_view field_text(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

// A label as sopen stores it: up to a NUL, trailing white space removed.
std::string_view biosig_label(std::string_view s) {
  s = until_nul(s);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

namespace {

template <class T>
bool parse_field(std::string_view s, T& v) {
  s = field_text(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(v)) return false;
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

// strtok's view of s: the non-empty runs between any of `delims`.
std::vector<std::string_view> tokens(std::string_view s, std::string_view delims) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while ((i = s.find_first_not_of(delims, i)) != std::string_view::npos) {
    const std::size_t j = std::min(s.find_first_of(delims, i), s.size());
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Rounds r to at most 3 decimals when that moves it by floating-point noise only.
bool snap_rate(double r, double& out) {
  for (double scale : {1.0, 10.0, 100.0, 1000.0}) {
    const double c = std::round(r * scale) / scale;
    if (std::abs(c - r) <= 1e-9 * std::abs(r)) return out = c, true;
  }
  return false;
}

// sopen's EDF+ parse of the patient ("code sex birthdate name") and
// recording ("Startdate dd-MMM-yyyy ...") fields dereferences each subfield.
void check_edf_plus_fields(const std::string& name, std::string_view f) {
  // EDF's header is printable ASCII; a control character in these fields
  // (a line feed, say) makes sopen's tokenising hand a null subfield to
  // strlen (found by fuzz_edf). NUL padding, though not the standard's, is
  // read as the field's end.
  for (std::size_t i = 8; i < 168; ++i) {
    const auto c = static_cast<unsigned char>(f[i]);
    if ((c != 0 && c < 32) || c == 127)
      throw FormatError(name + ": header byte " + std::to_string(i) + " (in the " + (i < 88 ? "patient" : "recording") +
                        " field) is a control character (" + std::to_string(c) + "); EDF's header is printable ASCII");
  }
  std::string_view patient = until_nul(f.substr(8, 80));
  while (!patient.empty() && is_space(patient.back())) patient.remove_suffix(1);
  const auto p = tokens(patient, " ");
  if (p.size() == 2 || (p.size() > 2 && p[2].size() == 11 && tokens(p[2], "-").size() < 3))
    throw FormatError(name + ": EDF+ patient field '" + std::string(patient) +
                      "' is not 'code sex birthdate name' (birthdate dd-MMM-yyyy)");
  if (f.substr(88, 10) != "Startdate ") return;
  const std::size_t end = f.find_first_of(std::string_view(" \0", 2), 98);
  const auto r = tokens(until_nul(f.substr(88, 79)), " ");
  if (end > 167 || r.size() < 2 || (r[1] != "X" && tokens(r[1], "-").size() < 3))
    throw FormatError(name + ": EDF+ recording field is not 'Startdate dd-MMM-yyyy ...'");
}

// sopen walks each record's annotation bytes as text (TALs): each record's
// must end with a NUL, and in EDF+D every TAL after the first in a record
// (its time keeping) must carry a text.
void check_annotations(const std::string& name, std::ifstream& in, const EdfHeader& e) {
  std::string block(e.annot_bytes, '\0');
  for (std::uint64_t r = 0; r < e.num_records; ++r) {
    in.seekg(static_cast<std::streamoff>(e.header_bytes + r * e.bytes_per_record + e.annot_offset));
    if (!in.read(block.data(), static_cast<std::streamsize>(block.size())))
      throw IoError(name + ": cannot read the annotations of data record " + std::to_string(r + 1));
    const std::string where = name + ": data record " + std::to_string(r + 1) + ": annotation ";
    if (block.back() != '\0') throw FormatError(where + "signal does not end with a zero byte");
    int flag = e.discontinuous ? 1 : 0;
    for (std::size_t line = 0; line < block.size();) {
      const std::size_t next = block.find('\0', line);
      const auto parts = tokens(std::string_view(block).substr(line, next - line), "\x14");
      if (parts.empty() || tokens(parts[0], "\x14\x15").empty()) break;
      if (flag == 2 && parts.size() < 2) throw FormatError(where + "without a text");
      if (flag == 1) flag = 2;
      for (line = next; line < block.size() && block[line] == '\0';) ++line;
    }
  }
}

// sopen picks the reader by signatures, tried in order before EDF's (and
// BDF's): a few lie inside an EDF header's free-text fields, and a file
// with one would go to that format's reader instead.
void check_signatures(const std::string& name, std::ifstream& in, bool bdf) {
  std::string prefix(65536, '\0');
  in.seekg(0);
  in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  prefix.resize(static_cast<std::size_t>(in.gcount()));
  in.clear();
  const auto at = [&](std::size_t off, std::string_view sig) {
    return off + sig.size() <= prefix.size() && prefix.compare(off, sig.size(), sig) == 0;
  };
  using namespace std::string_view_literals;
  const bool other = at(20, "ACR-NEMA") || prefix.find("ALPHA-TRACE-MEDICAL") != std::string::npos ||
                     (!bdf && (at(34, "BLSC") || at(307, "E\0\0\0\0\0\0\0DAT"sv) || at(128, "DICM\x02\0\0\0"sv) ||
                               at(12, "\x08\0\x05\0\x0a\0\0\0"sv)));
  if (other) throw FormatError(name + ": header holds another format's signature; libbiosig would not read it as " +
                               std::string(bdf ? "BDF" : "EDF"));
}

}  // namespace

EdfHeader check_edf(const std::filesystem::path& file, std::vector<std::string>& warnings) {
  const std::string name = file.string();
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status)) throw IoError(name + ": no such file");
  if (!std::filesystem::is_regular_file(status)) throw IoError(name + ": not a regular file");
  EdfHeader e;
  e.size = std::filesystem::file_size(file, ec);
  std::ifstream in(file, std::ios::binary);
  if (ec || !in) throw IoError(name + ": cannot open for reading");
  std::string head(256, '\0');
  in.read(head.data(), 256);
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.empty()) throw FormatError(name + ": empty file");
  const std::string_view f = head;
  if (f.substr(0, 3) == "GDF")
    throw UnsupportedError(name + ": GDF is not supported (libbiosig's GDF header parser does not check "
                           "the file's fields); convert it to EDF");
  if (f.size() >= 22 && f.substr(16, 6) == "SCPECG")
    throw UnsupportedError(name + ": SCP-ECG is not supported (libbiosig's SCP decoder ends the process on "
                           "malformed sections); convert it to EDF");
  e.bdf = f.size() >= 8 && static_cast<unsigned char>(f[0]) == 0xff && f.substr(1, 7) == "BIOSEMI";
  if (!e.bdf && f.substr(0, 8) != "0       ") throw FormatError(name + ": not an EDF or BDF file");
  if (f.size() < 256) throw FormatError(name + ": truncated header (" + std::to_string(f.size()) + " of 256 bytes)");
  check_signatures(name, in, e.bdf);

  e.discontinuous = f.substr(193, 4) == "DF+D";  // how sopen tells EDF+D and BDF+D
  e.format = e.bdf ? "BDF" : "EDF";
  if (e.discontinuous) e.format += "+D";
  else if (f.substr(192, 5) == "EDF+C" || f.substr(192, 5) == "BDF+C") e.format += "+C";
  if (f.substr(192, 4) == "EDF+") check_edf_plus_fields(name, f);
  std::int64_t ns = 0, hb = 0, nrec = 0;
  if (!parse_field(f.substr(252, 4), ns) || ns < 1 || static_cast<std::uint64_t>(ns) > (e.size - 256) / 256)
    throw FormatError(name + ": number of signals '" + std::string(field_text(f.substr(252, 4))) +
                      "' is not a count the file's " + std::to_string(e.size) + " bytes can hold");
  e.ns = static_cast<std::uint16_t>(ns);
  if (!parse_field(f.substr(184, 8), hb) || hb != 256 * (ns + 1))
    throw FormatError(name + ": header size '" + std::string(field_text(f.substr(184, 8))) + "' is not 256 x (1 + " +
                      std::to_string(ns) + " signals)");
  e.header_bytes = static_cast<std::uint32_t>(hb);
  if (!parse_field(f.substr(236, 8), nrec) || nrec < -1)
    throw FormatError(name + ": number of data records '" + std::string(field_text(f.substr(236, 8))) + "' is not valid");
  e.duration = std::string(field_text(until_nul(f.substr(244, 8))));
  if (!parse_field(e.duration, e.duration_value) || e.duration_value < 0)
    throw FormatError(name + ": data record duration '" + e.duration + "' is not a number of seconds");

  std::string sig(static_cast<std::size_t>(256 * ns), '\0');
  in.seekg(256);
  if (!in.read(sig.data(), static_cast<std::streamsize>(sig.size())))
    throw IoError(name + ": cannot read the signal headers");
  const std::string_view s = sig;
  const std::size_t n = static_cast<std::size_t>(ns);
  const std::uint64_t sample_bytes = e.bdf ? 3 : 2;
  const char* annotation_label = e.bdf ? "BDF Annotations" : "EDF Annotations";
  std::uint64_t bpb = 0;
  std::int64_t annot_start = -1, annot_end = -1;
  for (std::size_t k = 0; k < n; ++k) {
    e.units.emplace_back(field_text(until_nul(s.substr(96 * n + 8 * k, 8))));
    std::int64_t spr = 0;
    if (!parse_field(s.substr(216 * n + 8 * k, 8), spr) || spr < 0)
      throw FormatError(name + ": signal " + std::to_string(k + 1) + ": samples per record '" +
                        std::string(field_text(s.substr(216 * n + 8 * k, 8))) + "' is not a count");
    const std::uint64_t bytes = static_cast<std::uint64_t>(spr) * sample_bytes;
    const std::string_view label = biosig_label(s.substr(16 * k, 16));
    if (label == annotation_label) {
      if (annot_start < 0) annot_start = static_cast<std::int64_t>(bpb);
      e.annot_bytes += bytes;
      annot_end = static_cast<std::int64_t>(bpb + bytes);
    }
    e.status_channel |= e.bdf && label == "Status";
    bpb += bytes;
  }
  if (bpb == 0) throw FormatError(name + ": the data records hold no samples");
  if (bpb > std::numeric_limits<std::uint32_t>::max())
    throw FormatError(name + ": data records of " + std::to_string(bpb) + " bytes");
  e.bytes_per_record = static_cast<std::uint32_t>(bpb);
  const std::uint64_t data = e.size - e.header_bytes;
  if (nrec == -1) {
    // Still recording when the header was written: whole records only.
    e.num_records = data / bpb;
    e.num_records_derived = true;
    if (data % bpb)
      warnings.push_back(name + ": last data record incomplete (" + std::to_string(data % bpb) + " of " +
                         std::to_string(bpb) + " bytes); dropped");
  } else {
    e.num_records = static_cast<std::uint64_t>(nrec);
    if (e.num_records > data / bpb)
      throw FormatError(name + ": truncated: " + std::to_string(nrec) + " data records of " + std::to_string(bpb) +
                        " bytes need " + std::to_string(e.num_records * bpb) + " bytes after the header, the file has " +
                        std::to_string(data));
    // sopen counts records from the file size when the header says 0.
    if (nrec == 0 && data >= bpb) throw FormatError(name + ": 0 data records, yet data follow the header");
    if (data > e.num_records * bpb)
      warnings.push_back(name + ": " + std::to_string(data - e.num_records * bpb) +
                         " bytes after the last data record ignored");
  }
  // sopen decodes the annotation signals only when they lie side by side.
  e.annot_decoded = annot_start < 0 || annot_start + static_cast<std::int64_t>(e.annot_bytes) == annot_end;
  e.annot_offset = annot_start < 0 ? 0 : static_cast<std::uint64_t>(annot_start);
  if (e.discontinuous && (annot_start < 0 || !e.annot_decoded || e.status_channel))
    throw UnsupportedError(name + ": " + e.format + " file whose data record start times cannot be read "
                           "(no annotation signal, annotation signals apart, or a Status signal)");
  if (e.annot_decoded && e.annot_bytes) check_annotations(name, in, e);
  return e;
}

}  // namespace biosig_checks

using biosig_checks::field_text;
using biosig_checks::parse_field;
using biosig_checks::snap_rate;

bool is_biosig_file(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".edf" || ext == ".bdf" || ext == ".gdf" || ext == ".rec" || ext == ".scp";
}

double recover_sampling_rate(std::size_t samples_per_record, std::string_view duration_field) {
  const std::string_view text = field_text(duration_field);
  double d = 0;
  if (!parse_field(text, d) || !(d > 0)) return std::numeric_limits<double>::quiet_NaN();
  if (samples_per_record == 0) return 0.0;
  const double spr = static_cast<double>(samples_per_record);
  const double r = spr / d;
  double snapped = 0;
  if (snap_rate(r, snapped)) return snapped;
  // Half a unit of the last digit written: "0.002778" -> 5e-7, "2.778e-3" -> 5e-7.
  const std::size_t e = text.find_first_of("eE");
  const std::string_view mantissa = text.substr(0, e);
  const std::size_t dot = mantissa.find('.');
  const int decimals = dot == std::string_view::npos ? 0 : static_cast<int>(mantissa.size() - dot - 1);
  int exponent = 0;
  if (e != std::string_view::npos && !parse_field(text.substr(e + 1), exponent)) return r;
  const double h = 0.5 * std::pow(10.0, exponent - decimals);
  if (!(d - h > 0)) return r;
  const double lo = spr / (d + h), hi = spr / (d - h);
  for (double scale : {1.0, 10.0, 100.0, 1000.0}) {
    const double first = std::ceil(lo * scale), last = std::floor(hi * scale);
    if (last > first) return r;  // several candidates: the text cannot tell them apart
    if (last == first) return first / scale;
  }
  return r;
}

}  // namespace heartwave
