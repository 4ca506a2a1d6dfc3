#pragma once

// Reading Windows registry values as the probe delivers them: strings an admin may have typed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mamori/policy/text.hpp"

namespace mamori::policy::checks::windows {

/// Without surrounding blanks and line ends.
std::string_view trimmed(std::string_view s);

/// A REG_SZ holding digits ("600"); nullopt when it holds anything else.
std::optional<std::uint64_t> parseNumber(std::string_view s);

/// Evidence for a value Windows would not have written (`flag`: expected 0 or 1).
Text quoted(std::string_view name, const std::string& raw, bool flag = false);

}  // namespace mamori::policy::checks::windows
