#pragma once

// Everything that differs between SQLite and PostgreSQL, in one place. The SQL text itself is
// shared: BIGINT and TEXT columns only, times as Unix seconds, `INSERT ... ON CONFLICT` for
// upserts and idempotent inserts (SQLite >= 3.24, PostgreSQL >= 9.5), and no autoincrement (the
// collector chooses every key). What is left is how statements are written and how writers take
// turns.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::collector {

struct Connection;

enum class Engine { kSqlite, kPostgres };

class Dialect {
 public:
  explicit Dialect(Engine engine) : engine_(engine) {}

  [[nodiscard]] Engine engine() const { return engine_; }

  /// The Poco::Data connector key.
  [[nodiscard]] std::string connector() const;

  /// `sql`, written with `?` placeholders, as the engine takes it. Poco's PostgreSQL connector
  /// hands the text to PQprepare unchanged, so PostgreSQL gets `$1, $2, ...`. (The shared SQL
  /// never has a `?` inside a literal.)
  [[nodiscard]] std::string placeholders(std::string_view sql) const;

  /// Seconds to keep trying to connect. Poco's SQLite connector retries a failed open for this
  /// long, which for a file means a wrong path or permission, not a passing state.
  [[nodiscard]] std::size_t connectTimeout() const { return engine_ == Engine::kSqlite ? 1 : 10; }

  /// Statements run once on every new connection: SQLite's per-connection pragmas (WAL,
  /// synchronous=NORMAL, foreign keys, busy timeout); PostgreSQL's notice level, so that
  /// `IF NOT EXISTS` does not print to stderr.
  [[nodiscard]] std::vector<std::string> sessionSetup() const;

  /// Starts a transaction that will write. On SQLite it takes the write lock at once
  /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first may fail with SQLITE_BUSY when
  /// it upgrades, and busy_timeout cannot help then.
  void begin(Connection& connection) const;
  void commit(Connection& connection) const;
  void rollback(Connection& connection) const;

  /// SQLite allows one writer per file: writers of this process take turns on a mutex so that
  /// concurrent workers queue in-process instead of meeting SQLITE_BUSY. PostgreSQL locks rows.
  [[nodiscard]] bool serializeWriters() const { return engine_ == Engine::kSqlite; }

 private:
  Engine engine_;
};

}  // namespace mamori::collector
