#pragma once

// How TUF names files on the wire and on disk, shared by the client and the repository so the
// two can never disagree.

#include <cstdint>
#include <string>
#include <string_view>

namespace mamori::tuf {

/// `name` percent-encoded for a file name or a URL segment: everything but `A-Za-z0-9-._~`
/// (Python's `quote(name, safe="")`, which python-tuf uses for both).
std::string percentEncoded(std::string_view name);

/// `name` as a file name of its own: percent-encoded, with a leading `.` encoded too, so that
/// no name is `.`, `..` or hidden.
std::string localFileName(std::string_view name);

/// `<role>.json`, or `<version>.<role>.json` for a consistent snapshot (version > 0).
std::string metadataFileName(std::string_view role, std::int64_t version = 0);

/// `dir/<digest>.name` for target `dir/name`: what a consistent-snapshot repository serves.
std::string hashPrefixedPath(std::string_view target_path, std::string_view digest);

}  // namespace mamori::tuf
