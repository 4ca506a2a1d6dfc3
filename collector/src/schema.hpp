#pragma once

// The collector's schema as an ordered list of migrations. A database records the versions it
// has in `schema_migrations(version, applied_at)`; opening it applies the missing ones in order,
// each in its own transaction, and refuses a database newer than this code. A released
// migration is never edited: a change is a new migration with the next version.

#include <Poco/Data/Session.h>

#include <expected>
#include <span>
#include <string_view>

#include "mamori/error.hpp"
#include "mamori/policy/time.hpp"
#include "sql_connection.hpp"
#include "sql_dialect.hpp"

namespace mamori::collector::schema {

struct Migration {
  int version = 0;
  std::string_view description;
  std::span<const std::string_view> statements;  ///< the same text on both engines
};

/// This code's migrations, oldest first.
std::span<const Migration> migrations();

/// The newest version this code knows (the last migration's).
int latestVersion();

/// The highest version recorded in the database (0 for an empty one). Throws Poco exceptions.
int currentVersion(Poco::Data::Session& session, const Dialect& dialect);

/// Brings the database up to the last of `list`, applying each missing migration in its own
/// transaction together with its `schema_migrations` row (`applied_at` = `now`). A migration
/// another process applied meanwhile is skipped. Returns the version now in the database.
/// Errors: a database newer than `list` (kValidation, naming both versions); a failed migration
/// (kIo, that migration rolled back, earlier ones kept). No exception escapes.
std::expected<int, Error> migrate(Connection& connection, const Dialect& dialect,
                                  std::span<const Migration> list, policy::TimePoint now);

}  // namespace mamori::collector::schema
