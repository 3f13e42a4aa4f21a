#include "heartwave/data/npy.hpp"

#include <cstring>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"

namespace heartwave {

template <> std::string npy_descr<float>() { return "<f4"; }
template <> std::string npy_descr<double>() { return "<f8"; }
template <> std::string npy_descr<std::int32_t>() { return "<i4"; }
template <> std::string npy_descr<std::int64_t>() { return "<i8"; }
template <> std::string npy_descr<std::uint8_t>() { return "|u1"; }

std::vector<std::uint8_t> npy_header(const std::string& descr, const std::vector<std::uint64_t>& shape) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) dict += ",";
    if (i + 1 < shape.size()) dict += " ";
  }
  dict += "), }";
  // Magic (6) + version (2) + header length (2) + dict + '\n': a multiple of 64.
  const std::size_t pad = (64 - (10 + dict.size() + 1) % 64) % 64;
  dict.append(pad, ' ');
  dict.push_back('\n');
  std::string head("\x93NUMPY\x01\x00", 8);
  head.push_back(static_cast<char>(dict.size() & 0xFF));
  head.push_back(static_cast<char>(dict.size() >> 8));
  head += dict;
  return {head.begin(), head.end()};
}

template <class T>
std::vector<std::uint8_t> encode_npy(std::span<const T> values, std::vector<std::uint64_t> shape) {
  std::uint64_t count = 1;
  for (auto s : shape) count *= s;
  if (count != values.size()) throw InvalidArgument("encode_npy: shape does not match the number of values");
  std::vector<std::uint8_t> out = npy_header(npy_descr<T>(), shape);
  const auto* p = reinterpret_cast<const std::uint8_t*>(values.data());
  out.insert(out.end(), p, p + values.size_bytes());
  return out;
}

template std::vector<std::uint8_t> encode_npy<float>(std::span<const float>, std::vector<std::uint64_t>);
template std::vector<std::uint8_t> encode_npy<double>(std::span<const double>, std::vector<std::uint64_t>);
template std::vector<std::uint8_t> encode_npy<std::int32_t>(std::span<const std::int32_t>, std::vector<std::uint64_t>);
template std::vector<std::uint8_t> encode_npy<std::int64_t>(std::span<const std::int64_t>, std::vector<std::uint64_t>);
template std::vector<std::uint8_t> encode_npy<std::uint8_t>(std::span<const std::uint8_t>, std::vector<std::uint64_t>);

NpyArray parse_npy(std::span<const std::uint8_t> b, const std::string& source) {
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0)
    throw FormatError(source + ": not an .npy file (bad magic)");
  if (b[6] != 1 && b[6] != 2) throw UnsupportedError(source + ": .npy version " + std::to_string(b[6]) + " not supported");
  std::size_t hlen, start;
  if (b[6] == 1) {
    hlen = b[8] | (b[9] << 8);
    start = 10;
  } else {
    if (b.size() < 12) throw FormatError(source + ": truncated .npy header");
    hlen = b[8] | (b[9] << 8) | (b[10] << 16) | (static_cast<std::size_t>(b[11]) << 24);
    start = 12;
  }
  if (start + hlen > b.size()) throw FormatError(source + ": truncated .npy header");
  const std::string dict(reinterpret_cast<const char*>(b.data() + start), hlen);
  NpyArray a;
  auto field = [&](const std::string& key) -> std::string {
    const auto k = dict.find("'" + key + "'");
    if (k == std::string::npos) throw FormatError(source + ": .npy header lacks '" + key + "'");
    auto colon = dict.find(':', k);
    if (colon == std::string::npos) throw FormatError(source + ": malformed .npy header");
    return dict.substr(colon + 1);
  };
  {
    std::string d = field("descr");
    const auto q1 = d.find('\'');
    const auto q2 = q1 == std::string::npos ? q1 : d.find('\'', q1 + 1);
    if (q2 == std::string::npos) throw FormatError(source + ": malformed descr");
    a.descr = d.substr(q1 + 1, q2 - q1 - 1);
  }
  const std::string order = field("fortran_order");
  if (order.compare(order.find_first_not_of(' ') == std::string::npos ? 0 : order.find_first_not_of(' '), 4, "True") == 0)
    throw UnsupportedError(source + ": Fortran-ordered arrays are not supported");
  {
    std::string s = field("shape");
    const auto open = s.find('('), close = s.find(')');
    if (open == std::string::npos || close == std::string::npos || close < open)
      throw FormatError(source + ": malformed shape");
    std::string inner = s.substr(open + 1, close - open - 1);
    std::size_t i = 0;
    while (i < inner.size()) {
      while (i < inner.size() && (inner[i] == ' ' || inner[i] == ',')) ++i;
      if (i >= inner.size()) break;
      std::size_t j = i;
      while (j < inner.size() && inner[j] >= '0' && inner[j] <= '9') ++j;
      if (j == i || j - i > 15) throw FormatError(source + ": malformed or absurd shape");
      a.shape.push_back(std::stoull(inner.substr(i, j - i)));
      i = j;
    }
  }
  std::size_t item = 0;
  if (a.descr == "<f4" || a.descr == "<i4") item = 4;
  else if (a.descr == "<f8" || a.descr == "<i8") item = 8;
  else if (a.descr == "|u1") item = 1;
  else throw UnsupportedError(source + ": dtype " + a.descr + " not supported");
  std::uint64_t count = 1;
  for (auto s : a.shape) {
    if (s != 0 && count > (std::uint64_t{1} << 48) / s) throw FormatError(source + ": shape too large");
    count *= s;
  }
  const std::size_t data_start = start + hlen;
  if (count > (b.size() - data_start) / item || b.size() - data_start != count * item)
    throw FormatError(source + ": data size does not match the shape");
  a.data.assign(b.begin() + static_cast<std::ptrdiff_t>(data_start), b.end());
  return a;
}

NpyArray read_npy(const std::filesystem::path& path) { return parse_npy(read_file_bytes(path), path.string()); }

}  // namespace heartwave
