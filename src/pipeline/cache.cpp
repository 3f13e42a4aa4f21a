// The content-addressed cache (.heartwave/cache) and the run cache.
#include "heartwave/pipeline/cache.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/sha256.hpp"

namespace heartwave::pipeline {

namespace fs = std::filesystem;

namespace {

// Copies src to dst (created or truncated), returning the SHA-256 of what was copied.
std::string copy_hashing(const fs::path& src, const fs::path& dst) {
  std::FILE* in = std::fopen(src.c_str(), "rb");
  if (!in) throw IoError(src.string() + ": cannot open: " + std::strerror(errno));
  std::FILE* out = std::fopen(dst.c_str(), "wb");
  if (!out) {
    const std::string why = std::strerror(errno);
    std::fclose(in);
    throw IoError(dst.string() + ": cannot create: " + why);
  }
  Sha256 h;
  std::vector<char> buf(1 << 20);
  bool ok = true;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), in)) > 0) {
    h.update(buf.data(), n);
    if (std::fwrite(buf.data(), 1, n, out) != n) {
      ok = false;
      break;
    }
  }
  const bool read_failed = std::ferror(in) != 0;
  std::fclose(in);
  const bool closed = std::fclose(out) == 0;
  if (!ok || !closed || read_failed) {
    fs::remove(dst);
    throw IoError((read_failed ? src : dst).string() + ": copy failed");
  }
  return h.hex();
}

void make_writable(const fs::path& p) {
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::replace);
}

// Copies src into the cache as `obj` (read-only), checking it has `hash`.
void put_object(const fs::path& src, const fs::path& obj, const std::string& hash) {
  std::error_code ec;
  if (fs::exists(obj, ec)) return;
  fs::create_directories(obj.parent_path());
  const fs::path tmp = obj.string() + ".tmp";
  const std::string got = copy_hashing(src, tmp);
  if (got != hash) {
    fs::remove(tmp);
    throw IoError(src.string() + ": changed while it was being cached (its command may still be writing it)");
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read, fs::perm_options::replace);
  fs::rename(tmp, obj);
}

// Copies a cached object to dst, checking its hash; a corrupt object is removed.
void get_object(const fs::path& obj, const fs::path& dst, const std::string& hash) {
  fs::create_directories(dst.parent_path());
  const std::string got = copy_hashing(obj, dst);
  if (got != hash) {
    fs::remove(dst);
    std::error_code ec;
    fs::remove(obj, ec);
    throw ChecksumError(obj.string() + ": cached object does not match its hash " + hash + " (removed from the cache)");
  }
  make_writable(dst);
}

std::vector<DirEntry> read_listing(const fs::path& obj) {
  std::vector<DirEntry> out;
  const std::string text = read_file_text(obj);
  nlohmann::json a;
  try {
    a = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(obj.string() + ": not a folder listing: " + e.what());
  }
  if (!a.is_array()) throw ParseError(obj.string() + ": not a folder listing");
  for (const auto& e : a) {
    if (!e.is_object() || !e.contains("relpath") || !e.contains("sha256") || !e["relpath"].is_string() || !e["sha256"].is_string())
      throw ParseError(obj.string() + ": a listing entry lacks relpath or sha256");
    DirEntry d;
    d.relpath = e["relpath"].get<std::string>();
    d.sha256 = e["sha256"].get<std::string>();
    const fs::path rel(d.relpath);
    if (rel.is_absolute() || d.relpath.empty() || d.relpath.rfind("../", 0) == 0 || d.relpath.find("/../") != std::string::npos)
      throw ParseError(obj.string() + ": listing entry '" + d.relpath + "' leaves its folder");
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

void copy_file_atomic(const fs::path& src, const fs::path& dst) {
  const fs::path tmp = dst.string() + ".tmp";
  copy_hashing(src, tmp);
  fs::rename(tmp, dst);
}

fs::path Cache::object_path(const std::string& hash) const {
  if (hash.size() < 3) throw InvalidArgument("not a content hash: '" + hash + "'");
  return dir_ / hash.substr(0, 2) / hash.substr(2);
}

void Cache::store(const fs::path& root, const FileState& out) {
  if (!out.exists()) throw IoError((root / out.path).string() + ": output to cache is missing");
  const fs::path full = root / out.path;
  if (!out.is_dir()) {
    put_object(full, object_path(out.sha256), out.sha256);
    return;
  }
  const std::vector<DirEntry> files = list_folder(full);
  const std::string text = listing_json(files);
  const std::string hash =
      sha256_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())) + ".dir";
  if (hash != out.sha256) throw IoError(full.string() + ": changed while it was being cached");
  for (const auto& f : files) put_object(full / f.relpath, object_path(f.sha256), f.sha256);
  const fs::path listing = object_path(out.sha256);
  std::error_code ec;
  if (!fs::exists(listing, ec)) {
    fs::create_directories(listing.parent_path());
    write_file_atomic(listing, text);
  }
}

bool Cache::has(const FileState& out) const {
  if (!out.exists()) return false;
  std::error_code ec;
  const fs::path obj = object_path(out.sha256);
  if (!fs::is_regular_file(obj, ec)) return false;
  if (!out.is_dir()) return fs::file_size(obj, ec) == out.size && !ec;
  try {
    for (const auto& f : read_listing(obj))
      if (!fs::is_regular_file(object_path(f.sha256), ec)) return false;
  } catch (const Error&) {
    return false;
  }
  return true;
}

void Cache::restore(const fs::path& root, const FileState& out) const {
  const fs::path target = root / out.path;
  const fs::path tmp = target.string() + ".heartwave-restore";
  fs::remove_all(tmp);
  if (!out.is_dir()) {
    get_object(object_path(out.sha256), tmp, out.sha256);
  } else {
    fs::create_directories(tmp);
    try {
      for (const auto& f : read_listing(object_path(out.sha256))) get_object(object_path(f.sha256), tmp / f.relpath, f.sha256);
    } catch (...) {
      fs::remove_all(tmp);
      throw;
    }
  }
  fs::remove_all(target);
  fs::create_directories(target.parent_path());
  fs::rename(tmp, target);
}

std::optional<StageState> Cache::find_run(const std::string& key) const {
  const fs::path f = dir_ / "runs" / key.substr(0, 2) / key.substr(2);
  std::error_code ec;
  if (!fs::is_regular_file(f, ec)) return std::nullopt;
  try {
    return parse_stage_state(read_file_text(f), f.string());
  } catch (const Error&) {
    return std::nullopt;  // an unreadable record is as good as none: the stage runs
  }
}

void Cache::save_run(const std::string& key, const StageState& run) {
  const fs::path f = dir_ / "runs" / key.substr(0, 2) / key.substr(2);
  fs::create_directories(f.parent_path());
  write_durable(f, stage_state_yaml(run));
}

std::string run_key(const StageState& in, const std::vector<std::string>& out_paths) {
  std::string text = "heartwave-run 1\n";
  for (const auto& c : in.cmd) text += "cmd\t" + c + "\n";
  for (const auto& d : in.deps) text += "dep\t" + d.path + "\t" + d.sha256 + "\n";
  for (const auto& p : in.params) text += "param\t" + p.file + "\t" + p.key + "\t" + p.value + "\n";
  for (const auto& o : out_paths) text += "out\t" + o + "\n";
  return sha256_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace heartwave::pipeline
