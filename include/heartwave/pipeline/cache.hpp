// The content-addressed cache of stage outputs, as DVC keeps it:
// .heartwave/cache/<first 2 hex>/<other 62 hex> per file, a folder's listing
// as .../<hex>.dir, and the run cache (.heartwave/cache/runs/<2>/<62>): for
// each run of a stage (its command, dependency hashes and parameter values)
// the outputs it made, so that going back to earlier inputs restores the
// earlier outputs without running the command.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "heartwave/pipeline/pipeline.hpp"
#include "heartwave/pipeline/state.hpp"

namespace heartwave::pipeline {

class Cache {
 public:
  explicit Cache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  // Where an object lives: dir/ab/cdef... (a folder's listing keeps its ".dir").
  std::filesystem::path object_path(const std::string& hash) const;

  // Copies an output's content into the cache (a file, or every file of a
  // folder and its listing). Objects already there are kept. Throws IoError.
  void store(const std::filesystem::path& root, const FileState& out);
  // Whether every object `out` needs is in the cache (sizes checked).
  bool has(const FileState& out) const;
  // Puts the cached content at root/out.path, replacing what is there: built
  // beside it, checked against its hash, then renamed into place. Throws
  // ChecksumError for a corrupt object (which is then removed), IoError.
  void restore(const std::filesystem::path& root, const FileState& out) const;

  // The run cache.
  std::optional<StageState> find_run(const std::string& key) const;
  void save_run(const std::string& key, const StageState& run);

 private:
  std::filesystem::path dir_;
};

// The run cache's key: SHA-256 of the command, each dependency's path and
// hash, each parameter's file, key and value, and the output paths.
std::string run_key(const StageState& inputs, const std::vector<std::string>& out_paths);

// Copies src to dst through dst.tmp + rename. Throws IoError.
void copy_file_atomic(const std::filesystem::path& src, const std::filesystem::path& dst);

}  // namespace heartwave::pipeline
