#include "heartwave/io/fetch.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <mutex>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/sha256.hpp"
#include "heartwave/io/text_parse.hpp"

namespace heartwave {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  std::FILE* file = nullptr;
  std::string* text = nullptr;
  std::uint64_t bytes = 0;
};

std::size_t on_data(char* p, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  const std::size_t len = size * n;
  if (s->file && std::fwrite(p, 1, len, s->file) != len) return 0;
  if (s->text) s->text->append(p, len);
  s->bytes += len;
  return len;
}

// GETs `url` starting at byte `from`; returns the HTTP status.
long http_get(const std::string& url, Sink& sink, std::uint64_t from, long timeout_s) {
  global_init();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw NetworkError(url + ": curl initialisation failed");
  char err[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout_s);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "heartwave/0.1");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (from > 0) curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(from));
  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && status >= 400))
    throw NetworkError(url + ": " + (err[0] ? std::string(err) : curl_easy_strerror(rc)));
  return status;
}

bool safe_relative(const std::string& f) {
  if (f.empty() || f.front() == '/') return false;
  for (const auto& part : std::filesystem::path(f))
    if (part == ".." || part == ".") return false;
  return true;
}

}  // namespace

std::vector<Sha256Entry> parse_sha256sums(const std::string& text, const std::string& source) {
  std::vector<Sha256Entry> out;
  std::size_t ln = 0;
  for (std::string_view line : split_lines(text)) {
    ++ln;
    line = trim(line);
    if (line.empty()) continue;
    const std::string where = source + ":" + std::to_string(ln);
    const std::size_t sp = line.find(' ');
    if (sp != 64) throw ParseError(where + ": expected a 64-digit SHA-256 digest");
    Sha256Entry e;
    e.digest = std::string(line.substr(0, 64));
    for (char& ch : e.digest) {
      if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch - 'A' + 'a');
      if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
        throw ParseError(where + ": digest is not hexadecimal");
    }
    std::string_view name = line.substr(sp);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    if (!name.empty() && name.front() == '*') name.remove_prefix(1);
    e.file = std::string(name);
    if (!safe_relative(e.file)) throw ParseError(where + ": unsafe file name '" + e.file + "'");
    out.push_back(std::move(e));
  }
  if (out.empty()) throw ParseError(source + ": no entries");
  return out;
}

FetchResult fetch_database(const FetchOptions& opt) {
  if (opt.dest.empty()) throw InvalidArgument("fetch: no destination folder given");
  std::filesystem::create_directories(opt.dest);
  const std::string root = opt.base_url + "/" + opt.db + "/" + opt.version + "/";
  std::string sums_text;
  {
    Sink s;
    s.text = &sums_text;
    const long st = http_get(root + "SHA256SUMS.txt", s, 0, opt.timeout_s);
    if (st != 200) throw NetworkError(root + "SHA256SUMS.txt: HTTP status " + std::to_string(st));
  }
  const auto entries = parse_sha256sums(sums_text, root + "SHA256SUMS.txt");
  FetchResult res;
  std::size_t index = 0;
  for (const auto& e : entries) {
    ++index;
    const std::filesystem::path target = opt.dest / e.file;
    const std::filesystem::path part = target.string() + ".part";
    std::filesystem::create_directories(target.parent_path());
    std::string what;
    if (std::filesystem::exists(target) && sha256_file(target) == e.digest) {
      ++res.skipped;
      what = "verified, skipped";
    } else {
      std::uint64_t have = std::filesystem::exists(part) ? std::filesystem::file_size(part) : 0;
      for (int attempt = 0;; ++attempt) {
        std::FILE* f = std::fopen(part.c_str(), have ? "ab" : "wb");
        if (!f) throw IoError(part.string() + ": cannot open for writing");
        Sink s;
        s.file = f;
        long st = 0;
        try {
          st = http_get(root + e.file, s, have, opt.timeout_s);
        } catch (...) {
          std::fclose(f);
          throw;
        }
        std::fclose(f);
        res.bytes += s.bytes;
        if (have && st == 200) {
          // Server ignored the range: the body is the whole file, start over.
          std::filesystem::remove(part);
          have = 0;
          if (attempt < 1) continue;
        }
        if (st == 416) {  // range past the end: the partial file is bad
          std::filesystem::remove(part);
          have = 0;
          if (attempt < 1) continue;
        }
        if (st != 200 && st != 206) {
          std::filesystem::remove(part);
          throw NetworkError(root + e.file + ": HTTP status " + std::to_string(st));
        }
        if (sha256_file(part) != e.digest) {
          std::filesystem::remove(part);
          if (attempt < 1 && have) {  // a corrupt partial file: one fresh try
            have = 0;
            continue;
          }
          throw ChecksumError(target.string() + ": SHA-256 does not match " + e.digest);
        }
        std::filesystem::rename(part, target);
        if (have) {
          ++res.resumed;
          what = "resumed, verified";
        } else {
          ++res.downloaded;
          what = "downloaded, verified";
        }
        break;
      }
    }
    if (opt.on_file) opt.on_file(index, entries.size(), e.file, what);
  }
  write_file_atomic(opt.dest / "SHA256SUMS.txt", sums_text);
  return res;
}

}  // namespace heartwave
