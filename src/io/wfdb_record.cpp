#include <algorithm>
#include <cmath>
#include <memory>
#include <limits>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/wfdb_record.hpp"

namespace heartwave {
namespace {

std::int32_t invalid_value(int format) {
  switch (format) {
    case 212: return -2048;
    case 80: return -128;
    case 310: case 311: return -512;
    default: return kInvalidSample;
  }
}

void check_signal(const SignalSpec& s, const std::vector<std::int32_t>& v, std::size_t index,
                  const std::string& file, const ReadOptions& opt, std::vector<std::string>& warnings) {
  if (opt.checksum == ChecksumPolicy::ignore) return;
  std::string problem;
  if (s.has_initial_value && !v.empty() && v[0] != s.initial_value)
    problem = file + ": signal " + std::to_string(index) + " (" + s.description +
              "): initial value " + std::to_string(v[0]) + " does not match header value " +
              std::to_string(s.initial_value);
  else if (s.has_checksum && wfdb_checksum(v) != static_cast<std::int16_t>(s.checksum))
    problem = file + ": signal " + std::to_string(index) + " (" + s.description +
              "): checksum " + std::to_string(wfdb_checksum(v)) +
              " does not match header checksum " + std::to_string(static_cast<std::int16_t>(s.checksum));
  if (problem.empty()) return;
  if (opt.checksum == ChecksumPolicy::error) throw ChecksumError(problem);
  warnings.push_back(problem);
}

}  // namespace

std::vector<double> Record::physical(std::size_t i) const {
  const SignalSpec& s = header.signals.at(i);
  const auto& v = adc.at(i);
  const std::int32_t bad = invalid_value(s.format);
  std::vector<double> out(v.size());
  const double inv = 1.0 / s.adc_gain;
  for (std::size_t k = 0; k < v.size(); ++k)
    out[k] = v[k] == bad ? std::numeric_limits<double>::quiet_NaN() : (v[k] - s.baseline) * inv;
  return out;
}

Record read_record_signals(Header header, const std::filesystem::path& dir, const ReadOptions& opt) {
  return decode_record(std::move(header), dir, [&](const std::string& name) { return read_file_bytes(dir / name); }, opt);
}

Record decode_record(Header header, const std::filesystem::path& dir, const SignalFileSource& source, const ReadOptions& opt) {
  Record rec;
  rec.header = std::move(header);
  const Header& h = rec.header;
  rec.adc.resize(h.signals.size());
  std::size_t g = 0;
  while (g < h.signals.size()) {
    // A group: consecutive signals stored in the same file.
    std::size_t end = g + 1;
    while (end < h.signals.size() && h.signals[end].file_name == h.signals[g].file_name) ++end;
    const SignalSpec& first = h.signals[g];
    const std::filesystem::path file = dir / first.file_name;
    if (first.file_name == "~")
      throw UnsupportedError(file.string() + ": null signal files ('~') are not supported");
    if (!is_supported_format(first.format))
      throw UnsupportedError(file.string() + ": signal format " + std::to_string(first.format) +
                             " is not supported (supported: 16, 61, 80, 212, 310, 311)");
    std::uint64_t frame = 0;
    int max_skew = 0;
    for (std::size_t i = g; i < end; ++i) {
      if (h.signals[i].format != first.format)
        throw UnsupportedError(file.string() + ": signals of one file use different formats");
      if (h.signals[i].byte_offset != first.byte_offset)
        throw FormatError(file.string() + ": signals of one file give different byte offsets");
      frame += static_cast<std::uint64_t>(h.signals[i].samples_per_frame);
      max_skew = std::max(max_skew, h.signals[i].skew);
    }
    const auto bytes = source(first.file_name);
    const auto offset = static_cast<std::uint64_t>(first.byte_offset);
    if (offset > bytes.size())
      throw FormatError(file.string() + ": byte offset " + std::to_string(offset) +
                        " lies beyond the end of the file (" + std::to_string(bytes.size()) + " bytes)");
    std::span<const std::uint8_t> data(bytes.data() + offset, bytes.size() - offset);
    const std::uint64_t frames_in_file = samples_in_bytes(first.format, data.size()) / frame;
    std::uint64_t frames = static_cast<std::uint64_t>(h.num_samples);
    if (frames == 0) frames = frames_in_file;
    else if (frames > frames_in_file)
      throw FormatError(file.string() + ": truncated: header promises " + std::to_string(frames) +
                        " samples per signal, the file holds " + std::to_string(frames_in_file) +
                        " (" + std::to_string(data.size()) + " bytes in format " +
                        std::to_string(first.format) + ")");
    // Skewed signals read ahead; frames past the end of the file are missing.
    const std::uint64_t frames_read = std::min<std::uint64_t>(frames + max_skew, frames_in_file);
    // Decoded without zero-filling first: every element is written by the decoder.
    std::unique_ptr<std::int32_t[]> flat(new std::int32_t[frames_read * frame]);
    decode_samples(first.format, data, {flat.get(), frames_read * frame}, file.string());
    std::uint64_t col = 0;
    for (std::size_t i = g; i < end; ++i) {
      const SignalSpec& s = h.signals[i];
      const auto spf = static_cast<std::uint64_t>(s.samples_per_frame);
      auto& out = rec.adc[i];
      const auto skew = static_cast<std::uint64_t>(s.skew);
      // Frames available for this signal; the rest (skew past the end) are missing.
      const std::uint64_t avail = frames_read > skew ? std::min(frames, frames_read - skew) : 0;
      out.resize(frames * spf);
      if (spf == 1) {
        const std::int32_t* p = flat.get() + skew * frame + col;
        for (std::uint64_t t = 0; t < avail; ++t) out[t] = p[t * frame];
      } else {
        for (std::uint64_t t = 0; t < avail; ++t) {
          const std::int32_t* p = flat.get() + (t + skew) * frame + col;
          for (std::uint64_t k = 0; k < spf; ++k) out[t * spf + k] = p[k];
        }
      }
      std::fill(out.begin() + static_cast<std::ptrdiff_t>(avail * spf), out.end(), invalid_value(s.format));
      col += spf;
      check_signal(s, out, i, file.string(), opt, rec.warnings);
    }
    g = end;
  }
  if (rec.header.num_samples == 0 && !rec.adc.empty())
    rec.header.num_samples = static_cast<std::int64_t>(rec.adc[0].size() /
                                                       static_cast<std::size_t>(h.signals[0].samples_per_frame));
  return rec;
}

Record read_record(const std::filesystem::path& record_path, const ReadOptions& opt) {
  std::filesystem::path hea = record_path;
  hea += ".hea";
  Header h = read_header(hea);
  return read_record_signals(std::move(h), record_path.parent_path(), opt);
}

}  // namespace heartwave

namespace heartwave {

Recording to_recording(const Record& record) {
  Recording r;
  r.name = record.header.record_name;
  r.fs = record.fs();
  for (std::size_t i = 0; i < record.num_signals(); ++i) {
    const auto& s = record.header.signals[i];
    if (s.samples_per_frame != 1)
      throw UnsupportedError(r.name + ": signal " + std::to_string(i) +
                             " has several samples per frame; only one is supported here");
    r.leads.push_back(s.description.empty() ? "sig" + std::to_string(i) : s.description);
    r.units.push_back(s.units);
    r.samples.push_back(record.physical(i));
  }
  return r;
}

}  // namespace heartwave
