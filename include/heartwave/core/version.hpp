// The build's identity: the version, and the git commit it was built from
// (with whether the tree had uncommitted changes). `--version` prints it and
// every JSON heartwave writes carries build_info().
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace heartwave {
inline constexpr const char* kVersion = "0.1.0";
extern const char* const kGitCommit;  // short hash, or "unknown" outside a git checkout
extern const bool kGitDirty;

// "0.1.0 (commit 0123456789ab)", with ", dirty" when the tree was.
std::string version_string();
// {"version": "0.1.0", "git_commit": "...", "git_dirty": false}
nlohmann::json build_info();
}  // namespace heartwave
