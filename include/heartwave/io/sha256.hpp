// SHA-256 digests (OpenSSL) as lowercase hex, for manifests and downloads.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace heartwave {

std::string sha256_hex(std::span<const std::uint8_t> bytes);
// Streams the file; throws IoError if it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace heartwave

namespace heartwave {

// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t size);
  std::string hex();  // finishes the digest

 private:
  void* ctx_;
};

}  // namespace heartwave
