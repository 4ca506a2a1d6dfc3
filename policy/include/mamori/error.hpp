#pragma once

#include <string>
#include <utility>

namespace mamori {

enum class ErrorCode {
  kParse,       ///< the input is not well-formed (JSON syntax, header layout)
  kValidation,  ///< well-formed, but a value breaks a rule
  kIo,          ///< a file or command could not be read or run
  kUsage,       ///< the caller asked for something that makes no sense
};

/// A recoverable error, passed as a value (`std::expected<T, Error>`) across module boundaries.
/// `message` is the reason in English; `file`, `field` (a JSON path such as `$.usb.mode`) and
/// `line`/`column` locate it when known.
struct Error {
  ErrorCode code = ErrorCode::kValidation;
  std::string message;
  std::string file;
  std::string field;
  int line = 0;
  int column = 0;

  /// One line for a person: `policy.json:3:14: $.usb.mode: "blok" is not one of ...`.
  [[nodiscard]] std::string describe() const;
};

/// The usual Error: a code, the reason, and the file it concerns when there is one.
[[nodiscard]] inline Error makeError(ErrorCode code, std::string message, std::string file = {}) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  e.file = std::move(file);
  return e;
}

}  // namespace mamori
