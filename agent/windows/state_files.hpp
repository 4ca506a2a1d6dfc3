#pragma once

// The Windows agent's files under %ProgramData%\mamori: created with a protected DACL that lets
// only SYSTEM and Administrators in (the enrollment token, the enrollment's record and
// certificates), replaced atomically so that a crash leaves the old file or the new one, never
// half of one.

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace mamori::agent::windows {

/// Creates `dir` with the owner-only DACL; an existing one (made by anyone) and its files are
/// given that DACL, protected, and the Administrators group as owner where the caller may.
std::expected<void, std::string> createStateDirectory(const std::filesystem::path& dir);

/// Writes `text` to `file` through a temporary file beside it, flushed, then moved over `file`.
std::expected<void, std::string> writeStateFile(const std::filesystem::path& file,
                                                std::string_view text);

/// The whole file; an error names it.
std::expected<std::string, std::string> readStateFile(const std::filesystem::path& file);

}  // namespace mamori::agent::windows
