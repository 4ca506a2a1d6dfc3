#pragma once

// Both ends keep keys and certificates in files that must never be seen half-written or, for a
// key, readable by others: the agent its device key, the collector its CA and server key. And
// both read such small files back whole, never more than they can hold.

#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

#include "mamori/error.hpp"

namespace mamori::protocol {

/// What `writeFileAtomically` does when the file already exists.
enum class IfExists {
  kReplace,  ///< replace it (a renewed certificate)
  kFail,     ///< leave it untouched and fail with kUsage (a device key is never replaced)
};

/// Writes `content` to `file` so that readers, a crash or a power loss see either the old file or
/// the complete new one: a temporary file in the same directory, created with mode 0600 (so a
/// secret is never readable by others, not even for a moment), given `mode`, synced, then
/// renamed over `file` (or linked, for kFail) and the directory synced. `mode` is applied as
/// given, whatever the umask. Errors: kIo with the file and the system's reason; kUsage when
/// `file` exists and `if_exists` is kFail.
std::expected<void, Error> writeFileAtomically(const std::filesystem::path& file,
                                               std::string_view content, mode_t mode,
                                               IfExists if_exists = IfExists::kReplace);

/// Reads a whole file of at most `max_bytes`; the error names the file (kIo, or kValidation when
/// it is larger).
std::expected<std::string, Error> readSmallFile(const std::filesystem::path& file,
                                                std::uintmax_t max_bytes);

}  // namespace mamori::protocol
