// Content hashes of files and folders (SHA-256), and durable writes.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/io/sha256.hpp"
#include "heartwave/pipeline/state.hpp"

namespace heartwave::pipeline {

namespace fs = std::filesystem;

std::vector<DirEntry> list_folder(const fs::path& dir) {
  std::vector<DirEntry> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) throw IoError(dir.string() + ": cannot list the folder: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw IoError(dir.string() + ": cannot list the folder: " + ec.message());
    const fs::directory_entry& e = *it;
    // Links to folders are not entered (the iterator does not follow them) nor hashed.
    if (e.is_directory()) continue;
    if (!e.is_regular_file()) {
      if (e.is_symlink() && !fs::exists(e.path())) throw IoError(e.path().string() + ": a broken symbolic link");
      continue;  // sockets, pipes, devices
    }
    DirEntry d;
    d.relpath = e.path().lexically_relative(dir).generic_string();
    d.sha256 = sha256_file(e.path());
    d.size = static_cast<std::uint64_t>(e.file_size());
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.relpath < b.relpath; });
  return out;
}

std::string listing_json(const std::vector<DirEntry>& entries) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& e : entries) a.push_back({{"relpath", e.relpath}, {"sha256", e.sha256}});
  return a.dump();
}

FileState hash_path(const fs::path& root, const std::string& rel, std::vector<DirEntry>* listing) {
  FileState s;
  s.path = rel;
  const fs::path full = fs::path(rel).is_absolute() ? fs::path(rel) : root / rel;
  std::error_code ec;
  const fs::file_status st = fs::status(full, ec);
  if (ec || !fs::exists(st)) return s;
  if (fs::is_directory(st)) {
    std::vector<DirEntry> files = list_folder(full);
    const std::string text = listing_json(files);
    s.sha256 = sha256_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())) + ".dir";
    s.nfiles = static_cast<std::int64_t>(files.size());
    for (const auto& f : files) s.size += f.size;
    if (listing) *listing = std::move(files);
    return s;
  }
  if (!fs::is_regular_file(st)) throw IoError(full.string() + ": neither a file nor a folder");
  s.sha256 = sha256_file(full);
  s.size = static_cast<std::uint64_t>(fs::file_size(full));
  return s;
}

void write_durable(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(tmp.string() + ": cannot create: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      fs::remove(tmp);
      throw IoError(tmp.string() + ": write failed: " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    fs::remove(tmp);
    throw IoError(tmp.string() + ": cannot flush to disk: " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp);
    throw IoError(path.string() + ": cannot rename into place: " + ec.message());
  }
  // The rename itself reaches the disk with the folder.
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const int dfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace heartwave::pipeline
