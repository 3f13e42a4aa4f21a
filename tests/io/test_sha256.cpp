#include <gtest/gtest.h>

#include "heartwave/io/file_util.hpp"
#include "heartwave/io/sha256.hpp"
#include "support.hpp"

using namespace heartwave;

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256_hex({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string abc = "abc";
  EXPECT_EQ(sha256_hex({reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()}),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("a", 1);
  h.update("bc", 2);
  EXPECT_EQ(h.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(MitBih, FilesMatchPublishedSha256) {
  // Digests from PhysioNet's SHA256SUMS.txt for mitdb 1.0.0.
  const auto dir = heartwave::test::mitdb_dir();
  EXPECT_EQ(sha256_file(dir / "100.hea"), "60ebc904c7bf3e04d142638d3fd5c903e8dc9f10f1ea3264e07926aa089ee75e");
  EXPECT_EQ(sha256_file(dir / "100.atr"), "8d8a5349fb16638ebbf649f1779d12e96d91b736b2aafe59db43719ae583d471");
  EXPECT_EQ(sha256_file(dir / "100.dat"), "b2ea3c250e56e48f4b7b90697832b8ecd1afa1e0bb31f2dcfea4ed6e1075a639");
}
