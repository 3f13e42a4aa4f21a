#include "heartwave/core/version.hpp"

#include <nlohmann/json.hpp>

namespace heartwave {

std::string version_string() {
  return std::string(kVersion) + " (commit " + kGitCommit + (kGitDirty ? ", dirty)" : ")");
}

nlohmann::json build_info() { return {{"version", kVersion}, {"git_commit", kGitCommit}, {"git_dirty", kGitDirty}}; }

}  // namespace heartwave
