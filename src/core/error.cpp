#include "heartwave/core/error.hpp"

namespace heartwave {

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::io: return "io";
    case ErrorKind::parse: return "parse";
    case ErrorKind::format: return "format";
    case ErrorKind::checksum: return "checksum";
    case ErrorKind::unsupported: return "unsupported";
    case ErrorKind::invalid_argument: return "invalid_argument";
    case ErrorKind::network: return "network";
  }
  return "unknown";
}

}  // namespace heartwave
