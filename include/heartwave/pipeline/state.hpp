// What a stage's files and parameters were: content hashes (SHA-256) of
// files and folders, and pipeline.lock, which records them per stage in the
// fields of DVC's dvc.lock (schema 2.0), with `sha256` where DVC writes `md5`.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace heartwave::pipeline {

// A file in a hashed folder: its path inside the folder ('/'-separated) and content.
struct DirEntry {
  std::string relpath;
  std::string sha256;
  std::uint64_t size = 0;
};

// A dependency or output as found on disk.
struct FileState {
  std::string path;    // relative to the pipeline's folder, as in pipeline.yaml
  std::string sha256;  // a file's digest; a folder's: the digest of its listing + ".dir"; empty: missing
  std::uint64_t size = 0;    // bytes (a folder: of all its files)
  std::int64_t nfiles = -1;  // folders: files inside, recursively; -1 for a file
  bool exists() const { return !sha256.empty(); }
  bool is_dir() const { return nfiles >= 0; }
  bool same_content(const FileState& o) const { return sha256 == o.sha256; }
};

struct ParamState {
  std::string file, key;
  std::string value;  // canonical YAML flow text (Params::value)
};

// One stage as run: the command, and its dependencies, parameters and outputs.
struct StageState {
  std::vector<std::string> cmd;
  std::vector<FileState> deps;
  std::vector<ParamState> params;
  std::vector<FileState> outs;
};

// Hashes `rel` under `root`: a regular file by its bytes; a folder by the
// JSON listing DVC's .dir objects hold ([{"relpath": ..., "sha256": ...}],
// sorted by relpath, every regular file below it, symbolic links to files
// followed, links to folders not entered). A missing path gives an empty
// sha256. `listing`, when given, receives a folder's files. Throws IoError
// for a file that cannot be read.
FileState hash_path(const std::filesystem::path& root, const std::string& rel, std::vector<DirEntry>* listing = nullptr);
// A folder's files as hash_path lists them, and the listing's JSON text.
std::vector<DirEntry> list_folder(const std::filesystem::path& dir);
std::string listing_json(const std::vector<DirEntry>& entries);

// pipeline.lock: stage name -> its last successful run.
struct LockFile {
  std::map<std::string, StageState> stages;
};

// An absent file is an empty lock. Throws ParseError naming the file and line
// for malformed YAML or entries, FormatError for another schema than '2.0'.
LockFile read_lock(const std::filesystem::path& file);
// Writes the lock with its stages in `order` (names absent from the lock are
// skipped), to FILE.tmp first, flushed to disk, then renamed over FILE.
void write_lock(const std::filesystem::path& file, const LockFile& lock, const std::vector<std::string>& order);

// The YAML text of one stage entry (also the run cache's record), and back.
std::string stage_state_yaml(const StageState& s);
StageState parse_stage_state(const std::string& yaml_text, const std::string& where);

// Writes `text` to PATH.tmp, flushes it to disk (fsync), renames it over PATH
// and syncs the folder. Throws IoError.
void write_durable(const std::filesystem::path& path, const std::string& text);

}  // namespace heartwave::pipeline
