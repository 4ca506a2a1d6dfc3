#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "mamori/policy/time.hpp"

namespace mamori::platform {

/// The 512-byte header of a ClamAV signature database (`.cvd`, `.cld`):
/// `ClamAV-VDB:<build time>:<version>:<sigs>:<f-level>:<md5>:<dsig>:<builder>:<stime>`,
/// space-padded. freshclam writes the same header into `.cld` files (md5 and dsig are `X`).
struct ClamAvHeader {
  policy::TimePoint built;  ///< from `stime` (Unix seconds), as ClamAV itself ages databases
  std::uint32_t version = 0;
  std::uint32_t signatures = 0;
  int functionality_level = 0;
  std::string builder;
};

/// Parses the header at the start of `bytes` (the file's first 512 bytes suffice). Old files
/// without `stime` fall back to the build-time text (`16 Nov 2023 09-26 -0500`). The error says
/// what is wrong with the header.
std::expected<ClamAvHeader, std::string> parseClamAvHeader(std::string_view bytes);

}  // namespace mamori::platform
