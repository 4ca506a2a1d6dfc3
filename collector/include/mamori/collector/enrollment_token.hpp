#pragma once

// Enrollment tokens: what an admin hands to whoever installs the agent on a department's PCs.
// The text is `mmt_<id>_<secret>`: the id (12 lower-case hex, 48 random bits) names the token in
// `token list` and logs; the secret (32 random bytes, base64url without padding) proves it, and
// only its SHA-256 is ever stored.

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

#include "mamori/collector/store.hpp"
#include "mamori/error.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/time.hpp"

namespace mamori::collector {

struct NewToken {
  TokenRecord record;             ///< to store (uses 0, not revoked)
  std::string text;               ///< to hand out once: it is not stored anywhere
  std::string secret_sha256_hex;  ///< to store next to the record
};

/// A new token for `department` and `segment`, valid from `now` for `validity`, for
/// `max_uses` enrollments. Errors (kValidation): a department that is empty, longer than 64
/// characters or not printable UTF-8; validity outside 1 hour..90 days; max_uses outside
/// 1..10000; created_by (64) or note (256 characters) too long or not printable. kIo when the
/// random generator fails.
std::expected<NewToken, Error> makeToken(std::string_view department, policy::Segment segment,
                                         policy::TimePoint now, std::chrono::hours validity,
                                         int max_uses, std::string_view created_by,
                                         std::string_view note);

struct TokenParts {
  std::string id;
  std::string secret_sha256_hex;  ///< lower-case hex SHA-256 of the secret's text
};

/// Splits a token's text strictly (no whitespace, no padding, canonical base64url). Errors
/// (kParse) describe the expected form and never contain the text given.
std::expected<TokenParts, Error> parseToken(std::string_view text);

}  // namespace mamori::collector
