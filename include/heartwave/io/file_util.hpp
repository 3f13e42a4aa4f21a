// Small file helpers shared by the readers and writers.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace heartwave {

// Whole file as bytes / text. Throws IoError naming the path.
std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path);
std::string read_file_text(const std::filesystem::path& path);
// Writes to "path.tmp" then renames, so a reader never sees a half-written
// file. Throws IoError.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
void write_file_atomic(const std::filesystem::path& path, const std::string& text);
// For a command that writes `path` at the end of a long job: creates the
// missing parent folders and checks that a file can be created there now, so
// that a bad --out fails before the work, not after it. Throws IoError naming
// the path.
void prepare_output_file(const std::filesystem::path& path);
// The same for a command whose --out is a folder: created when missing, and
// checked to be a folder where files can be created.
void prepare_output_dir(const std::filesystem::path& dir);

}  // namespace heartwave
