// A model file holds everything inference needs: the family and its
// parameters, the weights, the preprocessing (copied from the dataset
// manifest: filter design, standardisation, window, rate, lead), the label
// set and class names, feature names, the dataset manifest's hash, the
// heartwave version and the metrics recorded for it.
//
// Layout: "HWMODEL\0" | u32 format version | u64 n | n bytes of JSON metadata |
//         u64 m | m bytes of weights | 32-byte SHA-256 of everything before it.
// All integers little-endian. Loading checks the magic, version, lengths and
// digest before trusting anything.
#pragma once
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "heartwave/models/model.hpp"

namespace heartwave {

inline constexpr std::uint32_t kModelFormatVersion = 1;

struct ModelBundle {
  nlohmann::json meta;
  std::unique_ptr<Classifier> model;
};

std::vector<std::uint8_t> encode_bundle(const Classifier& model, const nlohmann::json& meta);
// Throws FormatError (corrupt, truncated), ChecksumError, UnsupportedError
// (other format version or unknown family), naming `source`.
ModelBundle decode_bundle(std::span<const std::uint8_t> bytes, const std::string& source, int threads = 1);

void save_bundle(const std::filesystem::path& path, const Classifier& model, const nlohmann::json& meta);
ModelBundle load_bundle(const std::filesystem::path& path, int threads = 1);

}  // namespace heartwave
