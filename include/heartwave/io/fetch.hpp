// Downloading a PhysioNet database (libcurl): every file listed in the
// database's SHA256SUMS.txt is fetched into a cache folder and verified.
// Files already present and verified are skipped; partial downloads
// ("name.part") are resumed with HTTP range requests.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace heartwave {

struct FetchOptions {
  std::string base_url = "https://physionet.org/files";  // <base>/<db>/<version>/<file>
  std::string db = "mitdb";
  std::string version = "1.0.0";
  std::filesystem::path dest;   // files land directly in this folder
  long timeout_s = 120;         // per file, for stalled transfers
  // Called after each file: index (1-based), total, file name, what happened.
  std::function<void(std::size_t, std::size_t, const std::string&, const std::string&)> on_file;
};

struct FetchResult {
  std::size_t downloaded = 0;  // fetched from scratch
  std::size_t resumed = 0;     // completed from a .part file
  std::size_t skipped = 0;     // already present and verified
  std::uint64_t bytes = 0;     // bytes transferred
};

struct Sha256Entry {
  std::string digest;
  std::string file;
};

// Parses "<hex digest> <space(s) or space+*><relative path>" lines; rejects
// absolute paths and "..". Throws ParseError naming the line.
std::vector<Sha256Entry> parse_sha256sums(const std::string& text, const std::string& source);

// Throws NetworkError (HTTP or transfer failure), ChecksumError (a file does
// not match its digest after download), IoError.
FetchResult fetch_database(const FetchOptions& options);

}  // namespace heartwave
