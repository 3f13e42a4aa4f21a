// Typed errors raised by every heartwave library. Each names what was wrong
// and where (file, line or byte offset); the CLI turns them into exit codes.
#pragma once
#include <stdexcept>
#include <string>

namespace heartwave {

enum class ErrorKind {
  io,           // a file could not be opened, read or written
  parse,        // text (header, CSV, JSON) is malformed
  format,       // binary data is malformed or truncated
  checksum,     // a checksum or initial value does not match
  unsupported,  // valid input that heartwave does not handle (e.g. multi-segment)
  invalid_argument,
  network,
};

const char* to_string(ErrorKind kind) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

#define HEARTWAVE_DEFINE_ERROR(Name, kind_value)                      \
  class Name : public Error {                                          \
   public:                                                             \
    explicit Name(const std::string& m) : Error(ErrorKind::kind_value, m) {} \
  };
HEARTWAVE_DEFINE_ERROR(IoError, io)
HEARTWAVE_DEFINE_ERROR(ParseError, parse)
HEARTWAVE_DEFINE_ERROR(FormatError, format)
HEARTWAVE_DEFINE_ERROR(ChecksumError, checksum)
HEARTWAVE_DEFINE_ERROR(UnsupportedError, unsupported)
HEARTWAVE_DEFINE_ERROR(InvalidArgument, invalid_argument)
HEARTWAVE_DEFINE_ERROR(NetworkError, network)
#undef HEARTWAVE_DEFINE_ERROR

}  // namespace heartwave
