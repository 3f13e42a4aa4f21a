// Shared test helpers: locating the MIT-BIH database and the fixtures,
// temporary folders, and reading JSON fixtures.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

namespace heartwave::test {

// The MIT-BIH Arrhythmia Database: $HEARTWAVE_DATA, else ../shared/data/mitdb
// next to the source tree. Tests that need it fail (never skip) without it.
inline std::filesystem::path mitdb_dir() {
  const char* env = std::getenv("HEARTWAVE_DATA");
  const std::filesystem::path p = env && *env ? std::filesystem::path(env)
                                              : std::filesystem::path(HEARTWAVE_SOURCE_DIR) / ".." / "shared" / "data" / "mitdb";
  if (!std::filesystem::exists(p / "RECORDS") || !std::filesystem::exists(p / "100.dat"))
    throw std::runtime_error("MIT-BIH database not found at " + p.string() +
                             " (set HEARTWAVE_DATA); this test needs it");
  return p;
}

inline std::filesystem::path fixture(const std::string& rel) {
  return std::filesystem::path(HEARTWAVE_SOURCE_DIR) / "tests" / "fixtures" / rel;
}

// A fresh temporary folder removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("heartwave-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

// Expects `fn` to throw exception type E whose message contains `needle`.
template <class E, class Fn>
void expect_throw_with(Fn&& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "expected an exception mentioning '" << needle << "'";
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what();
  }
}

}  // namespace heartwave::test
