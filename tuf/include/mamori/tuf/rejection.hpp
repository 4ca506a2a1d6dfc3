#pragma once

// Why the client refused something. The kind matters beyond the message: the agent turns every
// refusal into an audit event the collector sees, and an admin tells an attack (a rollback, a
// forged signature) from a misconfiguration (expired metadata) by it.

#include <string>
#include <string_view>

#include "mamori/error.hpp"

namespace mamori::tuf {

enum class Problem {
  kMalformed,       ///< not valid metadata for its role
  kBadSignature,    ///< fewer valid signatures than the role's threshold
  kRollback,        ///< a version older than one already trusted
  kExpired,         ///< metadata past its expiry (a freeze attack, or a repository not re-signed)
  kMismatch,        ///< a version other than the one the referring metadata names (mix-and-match)
  kBadHash,         ///< a file whose length or hashes differ from what metadata says
  kTooLarge,        ///< more bytes than allowed (an endless-data attack)
  kClockBackwards,  ///< the local clock reads earlier than a time already trusted
  kUnavailable,     ///< the repository could not be reached or did not have the file
  kUnknownTarget,   ///< no trusted targets metadata lists the target
  kStorage,         ///< the client could not store what it verified (a local disk problem)
  kUsage,           ///< the caller's mistake (an update out of the workflow's order)
};

/// `rollback`, `bad-signature`, ...: stable names for logs, audit events and reports.
std::string_view problemName(Problem problem);

struct Rejection {
  Problem problem = Problem::kMalformed;
  Error error;  ///< the reason; `file` names the metadata file or target concerned

  /// `rollback: timestamp.json: version 3 is older than the trusted version 4`.
  [[nodiscard]] std::string describe() const;
};

/// A Rejection for `file`.
[[nodiscard]] Rejection reject(Problem problem, std::string file, std::string message);

}  // namespace mamori::tuf
