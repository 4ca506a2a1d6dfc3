#pragma once

// TUF signs the canonical form of a document, not its bytes on the wire: the OLPC canonical JSON
// that securesystemslib and python-tuf write (keys sorted, no insignificant whitespace, only `"`
// and `\` escaped in strings, integers only). Both sides of a signature must produce the same
// bytes, so this is the one place mamori spells it.

#include <boost/json/value.hpp>
#include <expected>
#include <string>

#include "mamori/error.hpp"

namespace mamori::tuf {

/// The canonical form of `value`. Error (kValidation, with the JSON path) when it holds a number
/// that is not an integer: canonical JSON has no floating point.
std::expected<std::string, Error> canonicalJson(const boost::json::value& value);

}  // namespace mamori::tuf
