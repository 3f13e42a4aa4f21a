// NumPy .npy files (format version 1.0), little-endian, C order, so that
// numpy.load reads heartwave's datasets directly.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace heartwave {

struct NpyArray {
  std::string descr;                 // "<f4", "<i4", "<i8"
  std::vector<std::uint64_t> shape;
  std::vector<std::uint8_t> data;    // raw little-endian values

  template <class T>
  std::span<const T> as() const {
    return {reinterpret_cast<const T*>(data.data()), data.size() / sizeof(T)};
  }
};

template <class T>
std::string npy_descr();  // defined for float, double, int32_t, int64_t, uint8_t

// The .npy header (magic, version 1.0, dict padded to 64 bytes) for an array.
std::vector<std::uint8_t> npy_header(const std::string& descr, const std::vector<std::uint64_t>& shape);

// Serialises values with the given shape (product must equal values.size()).
template <class T>
std::vector<std::uint8_t> encode_npy(std::span<const T> values, std::vector<std::uint64_t> shape);

// Parses an .npy byte stream. Throws FormatError naming `source`.
NpyArray parse_npy(std::span<const std::uint8_t> bytes, const std::string& source);
NpyArray read_npy(const std::filesystem::path& path);

}  // namespace heartwave
