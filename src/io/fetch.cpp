#include "heartwave/io/fetch.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdio>
#include <memory>
#include <mutex>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/sha256.hpp"
#include "heartwave/io/text_parse.hpp"

namespace heartwave {
namespace {

// libcurl, loaded the first time something is downloaded: it and the thirty
// libraries it brings (TLS, HTTP/2, Kerberos, LDAP, ...) would otherwise be
// loaded and relocated at the start of every heartwave process.
struct Curl {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
};

template <class F>
void bind(void* lib, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  if (!f) throw UnsupportedError(std::string("libcurl.so.4 has no ") + name);
}

const Curl& curl_api() {
  static std::once_flag once;
  static Curl api{};
  static std::string failure;
  std::call_once(once, [] {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      failure = std::string("downloading needs libcurl (Debian: libcurl4): ") + dlerror();
      return;
    }
    try {
      bind(lib, "curl_global_init", api.global_init);
      bind(lib, "curl_easy_init", api.easy_init);
      bind(lib, "curl_easy_cleanup", api.easy_cleanup);
      bind(lib, "curl_easy_setopt", api.easy_setopt);
      bind(lib, "curl_easy_perform", api.easy_perform);
      bind(lib, "curl_easy_getinfo", api.easy_getinfo);
      bind(lib, "curl_easy_strerror", api.easy_strerror);
      api.global_init(CURL_GLOBAL_DEFAULT);
    } catch (const UnsupportedError& e) {
      failure = e.what();
      api = Curl{};
    }
  });
  if (!api.easy_init) throw UnsupportedError(failure);
  return api;
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
  const Curl& api = curl_api();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(api.easy_init(), api.easy_cleanup);
  if (!curl) throw NetworkError(url + ": curl initialisation failed");
  char err[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  api.easy_setopt(c, CURLOPT_URL, url.c_str());
  api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  api.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  api.easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  api.easy_setopt(c, CURLOPT_ERRORBUFFER, err);
  api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  api.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  api.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout_s);
  api.easy_setopt(c, CURLOPT_USERAGENT, "heartwave/0.1");
  api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (from > 0) api.easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(from));
  const CURLcode rc = api.easy_perform(c);
  long status = 0;
  api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && status >= 400))
    throw NetworkError(url + ": " + (err[0] ? std::string(err) : api.easy_strerror(rc)));
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
