#pragma once

// One member of a JSON object as the sender wrote it, found without building a document: the
// report handler keeps the facts an agent sent as received instead of serialising the decoded
// facts again.

#include <optional>
#include <string_view>

namespace mamori::collector {

/// The text of the value of member `key` in the JSON object `object`, exactly as written, when
/// the object holds that key once and writes none of its keys with escapes. Nothing otherwise, or
/// when `object` is not a well-formed object (it is meant for text a parser already accepted).
std::optional<std::string_view> memberText(std::string_view object, std::string_view key);

}  // namespace mamori::collector
