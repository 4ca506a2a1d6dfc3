#pragma once

#include <expected>
#include <string_view>

#include "mamori/error.hpp"
#include "mamori/policy/policy.hpp"

namespace mamori::policy {

/// The `format` a policy document must declare.
inline constexpr std::string_view kPolicyFormat = "mamori-policy/1";

/// Parses and validates a policy document (JSON). The document overrides the built-in defaults
/// in layers: built-in profile of each segment <- `common` <- `segments.<id>`; a field left out
/// keeps the layer below. Unknown keys, wrong types and out-of-range values are errors.
///
/// On error, `Error::field` is the JSON path (`$.segments.mynumber.usb.mode`), the message names
/// the offending value and the reason; syntax errors carry line and column. `Error::file` is left
/// for the caller, who knows it.
std::expected<Policy, Error> parsePolicy(std::string_view json_text);

}  // namespace mamori::policy
