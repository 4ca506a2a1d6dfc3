#pragma once

#include <string_view>

#include "mamori/policy/facts.hpp"

namespace mamori::platform {

/// Parses os-release(5): `KEY=value` lines, values optionally quoted, `#` comments.
policy::OsRelease parseOsRelease(std::string_view text);

}  // namespace mamori::platform
