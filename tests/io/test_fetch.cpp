// End-to-end test of `fetch_database` against a real HTTP server (cpp-httplib)
// on 127.0.0.1 serving a folder that links to a few MIT-BIH files.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "heartwave/core/error.hpp"
#include "heartwave/io/fetch.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/io/sha256.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;
using heartwave::test::mitdb_dir;
using heartwave::test::TempDir;

namespace {

class Server {
 public:
  explicit Server(const std::filesystem::path& root) {
    if (!srv_.set_mount_point("/files", root.string())) throw std::runtime_error("cannot mount " + root.string());
    port_ = srv_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { srv_.listen_after_bind(); });
    while (!srv_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Server() {
    srv_.stop();
    thread_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/files"; }
  httplib::Server& raw() { return srv_; }

 private:
  httplib::Server srv_;
  int port_ = 0;
  std::thread thread_;
};

// Serves <root>/mitdb/1.0.0/{100,101}.{hea,atr,dat} (symlinks) plus a SHA256SUMS.txt.
struct Served {
  TempDir root;
  std::filesystem::path db;
  std::string sums;
  Served() {
    db = root / "mitdb/1.0.0";
    std::filesystem::create_directories(db);
    const auto src = mitdb_dir();
    for (const char* f : {"100.hea", "100.atr", "100.dat", "101.hea", "101.atr", "101.dat"}) {
      std::filesystem::create_symlink(std::filesystem::absolute(src / f), db / f);
      sums += sha256_file(src / f) + "  " + f + "\n";
    }
    write_file_atomic(db / "SHA256SUMS.txt", sums);
  }
};

FetchOptions options(const Server& server, const TempDir& dest) {
  FetchOptions opt;
  opt.base_url = server.base_url();
  opt.dest = dest.path();
  return opt;
}

}  // namespace

TEST(Fetch, DownloadsVerifiesSkipsAndResumes) {
  Served s;
  Server server(s.root.path());
  TempDir dest;
  FetchOptions opt = options(server, dest);
  std::size_t callbacks = 0;
  opt.on_file = [&](std::size_t, std::size_t total, const std::string&, const std::string&) {
    ++callbacks;
    EXPECT_EQ(total, 6u);
  };
  FetchResult r = fetch_database(opt);
  EXPECT_EQ(r.downloaded, 6u);
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(callbacks, 6u);
  for (const char* f : {"100.dat", "101.atr"})
    EXPECT_EQ(read_file_bytes(dest / f), read_file_bytes(mitdb_dir() / f)) << f;
  EXPECT_TRUE(std::filesystem::exists(dest / "SHA256SUMS.txt"));

  // Second run: everything verified, nothing transferred but the list.
  r = fetch_database(opt);
  EXPECT_EQ(r.skipped, 6u);
  EXPECT_EQ(r.downloaded, 0u);

  // A partial file is resumed with a range request.
  const auto full = read_file_bytes(mitdb_dir() / "101.dat");
  std::filesystem::remove(dest / "101.dat");
  write_file_atomic(dest / "101.dat.part", std::span<const std::uint8_t>(full.data(), full.size() / 3));
  r = fetch_database(opt);
  EXPECT_EQ(r.resumed, 1u);
  EXPECT_EQ(r.skipped, 5u);
  EXPECT_LT(r.bytes, full.size());
  EXPECT_EQ(read_file_bytes(dest / "101.dat"), full);
  EXPECT_FALSE(std::filesystem::exists(dest / "101.dat.part"));

  // A local file that does not match is replaced.
  write_file_atomic(dest / "100.hea", std::string("tampered"));
  r = fetch_database(opt);
  EXPECT_EQ(r.downloaded, 1u);
  EXPECT_EQ(read_file_bytes(dest / "100.hea"), read_file_bytes(mitdb_dir() / "100.hea"));
}

TEST(Fetch, DigestMismatchIsChecksumError) {
  Served s;
  std::string bad = s.sums;
  bad.replace(0, 64, std::string(64, '0'));  // wrong digest for 100.hea
  write_file_atomic(s.db / "SHA256SUMS.txt", bad);
  Server server(s.root.path());
  TempDir dest;
  FetchOptions opt = options(server, dest);
  expect_throw_with<ChecksumError>([&] { fetch_database(opt); }, "100.hea: SHA-256 does not match");
  EXPECT_FALSE(std::filesystem::exists(dest / "100.hea"));
  EXPECT_FALSE(std::filesystem::exists(dest / "100.hea.part"));
}

TEST(Fetch, MissingFilesAndServersAreNetworkErrors) {
  Served s;
  Server server(s.root.path());
  TempDir dest;
  FetchOptions opt = options(server, dest);
  opt.db = "nosuchdb";
  expect_throw_with<NetworkError>([&] { fetch_database(opt); }, "HTTP status 404");
  // A listed file that the server lacks.
  write_file_atomic(s.db / "SHA256SUMS.txt", s.sums + std::string(64, 'a') + "  gone.dat\n");
  opt.db = "mitdb";
  expect_throw_with<NetworkError>([&] { fetch_database(opt); }, "gone.dat: HTTP status 404");
  // Nothing listening.
  opt.base_url = "http://127.0.0.1:1/files";
  EXPECT_THROW(fetch_database(opt), NetworkError);
}

TEST(Fetch, Sha256SumsParsing) {
  const std::string d(64, 'a');
  auto e = parse_sha256sums(d + "  100.hea\n" + std::string(64, 'B') + " *sub/x.dat\n", "S");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1].file, "sub/x.dat");
  EXPECT_EQ(e[1].digest, std::string(64, 'b'));
  expect_throw_with<ParseError>([&] { parse_sha256sums(d + "  ../etc/passwd\n", "S"); }, "unsafe file name");
  expect_throw_with<ParseError>([&] { parse_sha256sums(d + "  /abs\n", "S"); }, "unsafe file name");
  expect_throw_with<ParseError>([&] { parse_sha256sums("abc  x\n", "S"); }, "S:1");
  expect_throw_with<ParseError>([&] { parse_sha256sums(std::string(64, 'z') + "  x\n", "S"); }, "hexadecimal");
  expect_throw_with<ParseError>([&] { parse_sha256sums("\n", "S"); }, "no entries");
}
