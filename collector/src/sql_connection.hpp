#pragma once

#include <Poco/Data/Session.h>

#include <memory>

#include "sqlite_statements.hpp"

namespace mamori::collector {

/// One database connection as the pool keeps it: the Poco session, and on SQLite the statements
/// prepared on it. `statements` is declared after `session` so that it is destroyed first: a
/// statement must be finalized before its connection closes.
struct Connection {
  Poco::Data::Session session;
  std::unique_ptr<SqliteStatements> statements;  ///< null on PostgreSQL
};

}  // namespace mamori::collector
