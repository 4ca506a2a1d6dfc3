#pragma once

// Windows build numbers as the policy and the facts spell them: `10.0.19045` names a feature
// release, `10.0.19045.6456` one of its cumulative updates (UBR 6456).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mamori::policy {

/// major, minor, build and update revision; the revision is 0 for a release name.
using WindowsBuild = std::array<std::uint32_t, 4>;

/// `10.0.19045` (parts = 3) or `10.0.19045.6456` (parts = 4); nullopt for anything else.
std::optional<WindowsBuild> parseWindowsBuild(std::string_view text, int parts);

/// The release a full build belongs to: `10.0.19045.6456` is in `10.0.19045`.
inline bool sameRelease(const WindowsBuild& a, const WindowsBuild& b) {
  return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

}  // namespace mamori::policy
