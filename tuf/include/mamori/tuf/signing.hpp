#pragma once

// The repository side of a signature: the metadata file a role's keys produce.

#include <boost/json/object.hpp>
#include <expected>
#include <span>
#include <string>

#include "mamori/error.hpp"
#include "mamori/tuf/keys.hpp"

namespace mamori::tuf {

/// `{"signatures": [...], "signed": signed}` as compact JSON, each key signing the canonical form
/// of `signed`.
std::expected<std::string, Error> signMetadata(const boost::json::object& signed_object,
                                               std::span<const SigningKey* const> keys);

}  // namespace mamori::tuf
