#include "heartwave/io/recording_file.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <sstream>

#include "heartwave/core/error.hpp"
#include "heartwave/io/biosig_record.hpp"
#include "heartwave/io/csv_signal.hpp"
#include "heartwave/io/wfdb_record.hpp"

namespace heartwave {

RawFormat parse_raw_format(const std::string& name) {
  if (name == "text") return RawFormat::text;
  if (name == "f32") return RawFormat::f32;
  if (name == "i16") return RawFormat::i16;
  throw InvalidArgument("unknown raw sample format '" + name + "' (known: text, f32, i16)");
}

std::string recording_file_kind(const std::filesystem::path& path) {
  if (path == "-") return "stdin";
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".csv") return "csv";
  if (is_biosig_file(path)) return "biosig";
  return "wfdb";
}

std::string recording_name(const std::filesystem::path& path) {
  if (path == "-") return "stdin";
  const std::string kind = recording_file_kind(path);
  std::filesystem::path p = path;
  if (kind != "wfdb" || p.extension() == ".hea") p = p.stem();
  return p.filename().string();
}

namespace {

void check_fs(double fs, const std::string& what) {
  if (!(fs > 0) || !std::isfinite(fs))
    throw InvalidArgument(what + ": give its sampling rate (--fs HZ): the file does not hold one");
}

}  // namespace

Recording read_raw_samples(std::istream& in, const RecordingFileOptions& o, const std::string& name) {
  check_fs(o.fs, name);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (o.raw == RawFormat::text) {
    // Numbers only: a header naming the columns is made up (ECG, ECG2, ...).
    std::string text = bytes;
    const std::size_t eol = text.find('\n');
    const std::string first = text.substr(0, eol);
    // A header when any field of the first line is not a number.
    bool has_header = false;
    std::size_t columns = 1;
    for (std::size_t at = 0;; ++columns) {
      const std::size_t comma = first.find(',', at);
      std::string field = first.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      while (!field.empty() && std::isspace(static_cast<unsigned char>(field.back()))) field.pop_back();
      char* end = nullptr;
      std::strtod(field.c_str(), &end);
      if (field.empty() || end != field.c_str() + field.size()) has_header = true;
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    if (!has_header) {
      std::string header = "ECG";
      for (std::size_t k = 2; k <= columns; ++k) header += ",ECG" + std::to_string(k);
      text = header + "\n" + text;
    }
    Recording r = parse_csv_signal(text, o.fs, name);
    r.name = name;
    return r;
  }
  const std::size_t width = o.raw == RawFormat::f32 ? 4 : 2;
  if (bytes.size() % width)
    throw FormatError(name + ": " + std::to_string(bytes.size()) + " bytes are not whole " + (width == 4 ? "float32" : "int16") +
                      " samples");
  if (o.raw == RawFormat::i16 && !(o.adc_gain > 0)) throw InvalidArgument(name + ": the ADC gain must be positive");
  Recording r;
  r.name = name;
  r.fs = o.fs;
  r.leads = {"ECG"};
  r.units = {"mV"};
  r.samples.assign(1, std::vector<double>(bytes.size() / width));
  auto& s = r.samples[0];
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + i * width);
    if (width == 4) {
      const std::uint32_t u = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
      float f;
      std::memcpy(&f, &u, 4);
      s[i] = f;
    } else {
      const auto v = static_cast<std::int16_t>(p[0] | (p[1] << 8));
      s[i] = v == -32768 ? std::nan("") : v / o.adc_gain;  // WFDB's missing-sample value
    }
  }
  return r;
}

Recording read_recording_file(const std::filesystem::path& path, const RecordingFileOptions& o, std::istream* in) {
  const std::string kind = recording_file_kind(path);
  if (kind == "stdin") {
    if (!in) throw InvalidArgument("-: no standard input to read");
    return read_raw_samples(*in, o, "stdin");
  }
  if (kind == "csv") {
    check_fs(o.fs, path.string());
    Recording r = read_csv_signal(path, o.fs);
    r.name = recording_name(path);
    return r;
  }
  if (kind == "biosig") return read_biosig(path);
  std::filesystem::path record = path;
  if (record.extension() == ".hea") record.replace_extension();
  ReadOptions ro;
  ro.checksum = o.check_wfdb_checksums ? ChecksumPolicy::error : ChecksumPolicy::warn;
  Recording r = to_recording(read_record(record, ro));
  r.name = record.filename().string();
  return r;
}

}  // namespace heartwave
