#include "heartwave/io/file_util.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "heartwave/core/error.hpp"

namespace heartwave {

std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw IoError(path.string() + ": cannot open: " + std::strerror(errno));
  std::vector<std::uint8_t> out;
  // Regular files: one allocation of the right size; pipes and the like grow.
  if (std::fseek(f, 0, SEEK_END) == 0) {
    const long size = std::ftell(f);
    std::rewind(f);
    if (size > 0) out.resize(static_cast<std::size_t>(size));
  }
  std::size_t got = out.empty() ? 0 : std::fread(out.data(), 1, out.size(), f);
  out.resize(got);
  std::uint8_t buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw IoError(path.string() + ": read error");
  return out;
}

std::string read_file_text(const std::filesystem::path& path) {
  auto bytes = read_file_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

namespace {

// Where a whole-file write goes before it is renamed into place.
std::filesystem::path temporary_of(const std::filesystem::path& path) { return path.string() + ".tmp"; }

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  const std::filesystem::path tmp = temporary_of(path);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw IoError(tmp.string() + ": cannot create: " + std::strerror(errno));
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) {
    std::filesystem::remove(tmp);
    throw IoError(tmp.string() + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw IoError(path.string() + ": cannot rename into place: " + ec.message());
  }
}

void write_file_atomic(const std::filesystem::path& path, const std::string& text) {
  write_file_atomic(path, std::span<const std::uint8_t>(
                              reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void prepare_output_file(const std::filesystem::path& path) {
  if (path.empty()) throw IoError("output path is empty");
  const std::filesystem::path parent = path.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw IoError(parent.string() + ": cannot create the output folder: " + ec.message());
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(path.string() + ": is a folder, not a file to write");
  // The file write_file_atomic will create first.
  const std::filesystem::path tmp = temporary_of(path);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw IoError(tmp.string() + ": cannot create: " + std::strerror(errno));
  std::fclose(f);
  std::filesystem::remove(tmp, ec);
}

void prepare_output_dir(const std::filesystem::path& dir) {
  if (dir.empty()) throw IoError("output folder is empty");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw IoError(dir.string() + ": cannot create the output folder" + (ec ? ": " + ec.message() : std::string(": a file is in the way")));
  prepare_output_file(dir / ".heartwave-write-check");
}

}  // namespace heartwave
