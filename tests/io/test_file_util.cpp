// Whole-file writes: atomic replacement, and output paths checked before a
// long job rather than after it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "support.hpp"

namespace {

using heartwave::IoError;
using heartwave::test::expect_throw_with;

TEST(FileUtil, AtomicWriteReplacesAndLeavesNoTemporary) {
  heartwave::test::TempDir tmp;
  const auto p = tmp / "a.txt";
  heartwave::write_file_atomic(p, std::string("first"));
  heartwave::write_file_atomic(p, std::string("second"));
  EXPECT_EQ(heartwave::read_file_text(p), "second");
  EXPECT_FALSE(std::filesystem::exists(p.string() + ".tmp"));
  expect_throw_with<IoError>([&] { heartwave::write_file_atomic(tmp / "no/such/dir/a.txt", std::string("x")); }, "cannot create");
}

TEST(FileUtil, PrepareOutputFileCreatesFoldersAndFailsEarly) {
  heartwave::test::TempDir tmp;
  const auto p = tmp / "new/sub/model.hwm";
  heartwave::prepare_output_file(p);
  EXPECT_TRUE(std::filesystem::is_directory(tmp / "new/sub"));
  EXPECT_FALSE(std::filesystem::exists(p));  // nothing written yet, no temporary left
  EXPECT_FALSE(std::filesystem::exists(p.string() + ".tmp"));
  heartwave::write_file_atomic(p, std::string("ok"));
  EXPECT_EQ(heartwave::read_file_text(p), "ok");
  // An existing file is kept as it is until the real write.
  heartwave::prepare_output_file(p);
  EXPECT_EQ(heartwave::read_file_text(p), "ok");
  // A file where a folder should be, a folder where the file should be, no path.
  { std::ofstream(tmp / "plain") << "x"; }
  expect_throw_with<IoError>([&] { heartwave::prepare_output_file(tmp / "plain/out.json"); }, "plain: cannot create the output folder");
  expect_throw_with<IoError>([&] { heartwave::prepare_output_file(tmp / "new"); }, "new: is a folder");
  expect_throw_with<IoError>([&] { heartwave::prepare_output_file(""); }, "output path is empty");
}

TEST(FileUtil, PrepareOutputDirCreatesItAndLeavesNothingElse) {
  heartwave::test::TempDir tmp;
  heartwave::prepare_output_dir(tmp / "a/b");
  EXPECT_TRUE(std::filesystem::is_directory(tmp / "a/b"));
  EXPECT_TRUE(std::filesystem::is_empty(tmp / "a/b"));
  heartwave::prepare_output_dir(tmp / "a/b");  // an existing folder is fine
  { std::ofstream(tmp / "plain") << "x"; }
  expect_throw_with<IoError>([&] { heartwave::prepare_output_dir(tmp / "plain"); }, "plain: cannot create the output folder");
  expect_throw_with<IoError>([&] { heartwave::prepare_output_dir(tmp / "plain/sub"); }, "cannot create the output folder");
}

}  // namespace
