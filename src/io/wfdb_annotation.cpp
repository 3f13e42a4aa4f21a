#include "heartwave/io/wfdb_annotation.hpp"

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"

namespace heartwave {
namespace {

constexpr int kSkip = 59, kNum = 60, kSub = 61, kChn = 62, kAux = 63;

}  // namespace

std::vector<Annotation> parse_annotations(std::span<const std::uint8_t> b, const std::string& source) {
  std::vector<Annotation> out;
  if (b.size() % 2)
    throw FormatError(source + ": odd length " + std::to_string(b.size()) +
                      " (MIT annotation files hold 16-bit words)");
  std::size_t pos = 0;
  auto word_at = [&](std::size_t p) { return static_cast<unsigned>(b[p] | (b[p + 1] << 8)); };
  auto where = [&](std::size_t p) { return source + ": byte " + std::to_string(p); };
  std::int64_t time = 0;
  int chan = 0, num = 0;
  bool ended = false;
  while (pos + 2 <= b.size()) {
    const unsigned w = word_at(pos);
    const int a = static_cast<int>(w >> 10);
    const int i = static_cast<int>(w & 0x3FF);
    if (w == 0) {
      ended = true;
      pos += 2;
      break;
    }
    switch (a) {
      case kSkip: {
        if (pos + 6 > b.size()) throw FormatError(where(pos) + ": truncated SKIP interval");
        const std::uint32_t hi = word_at(pos + 2), lo = word_at(pos + 4);
        const auto skip = static_cast<std::int32_t>((hi << 16) | lo);
        // WFDB's reader applies a SKIP as it stands, whatever the sign: some
        // PhysioNet files open with a NOTE at sample 0 followed by a SKIP
        // back before it, so the running time may be negative for a while
        // (an annotation written there keeps its negative time).
        time += skip;
        pos += 6;
        break;
      }
      case kNum:
      case kSub:
      case kChn:
      case kAux: {
        if (out.empty())
          throw FormatError(where(pos) + ": modifier before the first annotation");
        Annotation& last = out.back();
        if (a == kNum) last.num = num = i;
        else if (a == kSub) last.subtype = i;
        else if (a == kChn) last.chan = chan = i;
        else {
          const std::size_t len = static_cast<std::size_t>(i);
          if (pos + 2 + len > b.size())
            throw FormatError(where(pos) + ": AUX field of " + std::to_string(len) +
                              " bytes runs past the end of the file");
          last.aux.assign(reinterpret_cast<const char*>(b.data() + pos + 2), len);
          pos += (len + 1) & ~std::size_t{1};
        }
        pos += 2;
        break;
      }
      default: {
        if (a > kMaxAnnotationCode)
          throw FormatError(where(pos) + ": annotation code " + std::to_string(a) + " out of range");
        time += i;
        Annotation ann;
        ann.time = time;
        ann.code = a;
        ann.chan = chan;
        ann.num = num;
        out.push_back(std::move(ann));
        pos += 2;
      }
    }
  }
  if (!ended) throw FormatError(source + ": truncated: no end-of-file marker");
  return out;
}

std::vector<Annotation> read_annotations(const std::filesystem::path& path) {
  const auto bytes = read_file_bytes(path);
  return parse_annotations(bytes, path.string());
}

std::vector<std::uint8_t> encode_annotations(std::span<const Annotation> anns) {
  std::vector<std::uint8_t> o;
  o.reserve(anns.size() * 3 + 2);
  auto put = [&](unsigned w) {
    o.push_back(static_cast<std::uint8_t>(w & 0xFF));
    o.push_back(static_cast<std::uint8_t>((w >> 8) & 0xFF));
  };
  std::int64_t prev_time = 0;
  int prev_chan = 0, prev_num = 0;
  for (const Annotation& a : anns) {
    if (a.code < 0 || a.code > kMaxAnnotationCode)
      throw InvalidArgument("annotation code " + std::to_string(a.code) + " out of range");
    std::int64_t delta = a.time - prev_time;
    if (delta > 1023 || delta < 0) {
      if (delta > INT32_MAX || delta < INT32_MIN)
        throw InvalidArgument("annotation time step too large: " + std::to_string(delta));
      const auto d = static_cast<std::uint32_t>(static_cast<std::int32_t>(delta));
      put(kSkip << 10);
      put(d >> 16);
      put(d & 0xFFFF);
      delta = 0;
    }
    if (a.code == 0 && delta == 0)
      throw InvalidArgument("annotation code 0 at a zero time step would read as the end marker");
    put(static_cast<unsigned>(a.code << 10) | static_cast<unsigned>(delta));
    if (a.subtype != 0) put(static_cast<unsigned>(kSub << 10) | (static_cast<unsigned>(a.subtype) & 0x3FF));
    if (a.chan != prev_chan) put(static_cast<unsigned>(kChn << 10) | (static_cast<unsigned>(a.chan) & 0x3FF));
    if (a.num != prev_num) put(static_cast<unsigned>(kNum << 10) | (static_cast<unsigned>(a.num) & 0x3FF));
    if (!a.aux.empty()) {
      if (a.aux.size() > 1023) throw InvalidArgument("AUX string longer than 1023 bytes");
      put(static_cast<unsigned>(kAux << 10) | static_cast<unsigned>(a.aux.size()));
      o.insert(o.end(), a.aux.begin(), a.aux.end());
      if (a.aux.size() % 2) o.push_back(0);
    }
    prev_time = a.time;
    prev_chan = a.chan;
    prev_num = a.num;
  }
  put(0);
  return o;
}

void write_annotations(const std::filesystem::path& path, std::span<const Annotation> anns) {
  write_file_atomic(path, encode_annotations(anns));
}

}  // namespace heartwave
