#include "heartwave/io/wfdb_header.hpp"

#include <cmath>
#include <sstream>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/text_parse.hpp"

namespace heartwave {
namespace {

constexpr int kMaxSignals = 4096;
constexpr double kMaxFs = 1e6;           // 1 MHz: beyond any physiological recording
constexpr std::int64_t kMaxSamples = std::int64_t{1} << 40;

std::string at(const std::string& source, std::size_t line) {
  return source + ":" + std::to_string(line);
}

int checked_int(std::string_view tok, const std::string& where, std::string_view what,
                std::int64_t lo, std::int64_t hi) {
  const std::int64_t v = parse_int(tok, where, what);
  if (v < lo || v > hi)
    throw ParseError(where + ": " + std::string(what) + " " + std::to_string(v) +
                     " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(v);
}

void parse_record_line(std::string_view line, const std::string& where, Header& h) {
  const auto tok = split_ws(line);
  if (tok.size() < 2)
    throw ParseError(where + ": record line needs at least a name and a number of signals");
  std::string_view name = tok[0];
  if (name.find('/') != std::string_view::npos)
    throw UnsupportedError(where + ": multi-segment record '" + std::string(name) +
                           "' is not supported");
  h.record_name = std::string(name);
  h.num_signals = checked_int(tok[1], where, "number of signals", 0, kMaxSignals);
  if (tok.size() > 2) {
    // fs[/counter[(base)]]
    std::string_view f = tok[2];
    std::string_view counter;
    if (auto slash = f.find('/'); slash != std::string_view::npos) {
      counter = f.substr(slash + 1);
      f = f.substr(0, slash);
    }
    h.sampling_frequency = parse_double(f, where, "sampling frequency");
    if (!(h.sampling_frequency > 0.0) || h.sampling_frequency > kMaxFs)
      throw ParseError(where + ": sampling frequency " + std::string(f) +
                       " out of range (0, 1e6] Hz");
    if (!counter.empty()) {
      std::string_view base;
      if (auto paren = counter.find('('); paren != std::string_view::npos) {
        if (counter.back() != ')')
          throw ParseError(where + ": unterminated base counter value in '" + std::string(tok[2]) + "'");
        base = counter.substr(paren + 1, counter.size() - paren - 2);
        counter = counter.substr(0, paren);
      }
      h.counter_frequency = parse_double(counter, where, "counter frequency");
      if (h.counter_frequency < 0.0) throw ParseError(where + ": negative counter frequency");
      if (!base.empty()) h.base_counter = parse_double(base, where, "base counter value");
    }
  }
  if (tok.size() > 3) {
    const std::int64_t n = parse_int(tok[3], where, "number of samples");
    if (n < 0 || n > kMaxSamples) throw ParseError(where + ": number of samples out of range");
    h.num_samples = n;
  }
  if (tok.size() > 4) h.base_time = std::string(tok[4]);
  if (tok.size() > 5) h.base_date = std::string(tok[5]);
}

SignalSpec parse_signal_line(std::string_view line, const std::string& where) {
  const auto tok = split_ws(line);
  if (tok.size() < 2) throw ParseError(where + ": signal line needs a file name and a format");
  SignalSpec s;
  s.file_name = std::string(tok[0]);
  if (s.file_name.find('/') != std::string::npos || s.file_name == "..")
    throw UnsupportedError(where + ": signal file '" + s.file_name +
                           "' must be in the record's directory");
  // format[xspf][:skew][+offset]
  std::string_view f = tok[1];
  auto cut = [&](char c) -> std::string_view {
    auto p = f.find(c);
    if (p == std::string_view::npos) return {};
    std::string_view rest = f.substr(p + 1);
    f = f.substr(0, p);
    return rest;
  };
  std::string_view offset = cut('+');
  std::string_view skew = cut(':');
  std::string_view spf = cut('x');
  s.format = checked_int(f, where, "signal format", 0, 100000);
  if (!spf.empty()) s.samples_per_frame = checked_int(spf, where, "samples per frame", 1, 1024);
  if (!skew.empty()) s.skew = checked_int(skew, where, "skew", 0, 1 << 20);
  if (!offset.empty()) {
    s.byte_offset = parse_int(offset, where, "byte offset");
    if (s.byte_offset < 0) throw ParseError(where + ": negative byte offset");
  }
  bool zero_given = false;
  if (tok.size() > 2) {
    // gain[(baseline)][/units]
    std::string_view g = tok[2];
    if (auto slash = g.find('/'); slash != std::string_view::npos) {
      s.units = std::string(g.substr(slash + 1));
      g = g.substr(0, slash);
    }
    std::string_view base;
    if (auto paren = g.find('('); paren != std::string_view::npos) {
      if (g.back() != ')') throw ParseError(where + ": unterminated baseline in '" + std::string(tok[2]) + "'");
      base = g.substr(paren + 1, g.size() - paren - 2);
      g = g.substr(0, paren);
    }
    const double gain = parse_double(g, where, "ADC gain");
    if (gain != 0.0) {
      s.adc_gain = gain;
      s.gain_given = true;
    }
    if (!base.empty()) s.baseline = checked_int(base, where, "baseline", INT32_MIN, INT32_MAX);
    if (tok.size() > 3) s.adc_resolution = checked_int(tok[3], where, "ADC resolution", 0, 32);
    if (tok.size() > 4) {
      s.adc_zero = checked_int(tok[4], where, "ADC zero", INT32_MIN, INT32_MAX);
      zero_given = true;
    }
    if (base.empty()) s.baseline = s.adc_zero;
    if (tok.size() > 5) {
      s.initial_value = checked_int(tok[5], where, "initial value", INT32_MIN, INT32_MAX);
      s.has_initial_value = true;
    } else {
      s.initial_value = s.adc_zero;
    }
    if (tok.size() > 6) {
      s.checksum = checked_int(tok[6], where, "checksum", -32768, 65535);
      s.has_checksum = true;
    }
    if (tok.size() > 7) s.block_size = checked_int(tok[7], where, "block size", 0, INT32_MAX);
    if (tok.size() > 8) {
      // Description: the rest of the line, spaces included.
      const std::size_t pos = static_cast<std::size_t>(tok[8].data() - line.data());
      s.description = std::string(trim(line.substr(pos)));
    }
  }
  (void)zero_given;
  return s;
}

}  // namespace

bool is_supported_format(int format) noexcept {
  switch (format) {
    case 16: case 61: case 80: case 212: case 310: case 311: return true;
    default: return false;
  }
}

Header parse_header(std::string_view text, const std::string& source) {
  Header h;
  bool have_record = false;
  std::size_t lineno = 0;
  for (std::string_view raw : split_lines(text)) {
    ++lineno;
    std::string_view line = trim(raw);
    if (line.empty()) continue;
    if (line.front() == '#') {
      line.remove_prefix(1);
      h.comments.emplace_back(line);
      continue;
    }
    if (line.find('\0') != std::string_view::npos)
      throw ParseError(at(source, lineno) + ": NUL byte in header text");
    if (!have_record) {
      parse_record_line(line, at(source, lineno), h);
      have_record = true;
      continue;
    }
    if (static_cast<int>(h.signals.size()) >= h.num_signals)
      throw ParseError(at(source, lineno) + ": more signal lines than the " +
                       std::to_string(h.num_signals) + " the record line declares");
    h.signals.push_back(parse_signal_line(line, at(source, lineno)));
  }
  if (!have_record) throw ParseError(source + ": no record line (empty header)");
  if (static_cast<int>(h.signals.size()) != h.num_signals)
    throw ParseError(source + ": record line declares " + std::to_string(h.num_signals) +
                     " signals but " + std::to_string(h.signals.size()) + " signal lines follow");
  return h;
}

Header read_header(const std::filesystem::path& path) {
  return parse_header(read_file_text(path), path.string());
}

std::string format_header(const Header& h) {
  std::ostringstream o;
  o.precision(12);
  o << h.record_name << ' ' << h.num_signals << ' ' << h.sampling_frequency;
  if (h.counter_frequency > 0) {
    o << '/' << h.counter_frequency;
    if (h.base_counter != 0) o << '(' << h.base_counter << ')';
  }
  if (h.num_samples > 0 || !h.base_time.empty()) o << ' ' << h.num_samples;
  if (!h.base_time.empty()) o << ' ' << h.base_time;
  if (!h.base_date.empty()) o << ' ' << h.base_date;
  o << '\n';
  for (const auto& s : h.signals) {
    o << s.file_name << ' ' << s.format;
    if (s.samples_per_frame > 1) o << 'x' << s.samples_per_frame;
    if (s.skew) o << ':' << s.skew;
    if (s.byte_offset) o << '+' << s.byte_offset;
    o << ' ' << s.adc_gain;
    if (s.baseline != s.adc_zero) o << '(' << s.baseline << ')';
    if (s.units != "mV") o << '/' << s.units;
    o << ' ' << s.adc_resolution << ' ' << s.adc_zero << ' ' << s.initial_value << ' '
      << static_cast<std::int16_t>(s.checksum) << ' ' << s.block_size;
    if (!s.description.empty()) o << ' ' << s.description;
    o << '\n';
  }
  for (const auto& c : h.comments) o << '#' << c << '\n';
  return o.str();
}

}  // namespace heartwave
