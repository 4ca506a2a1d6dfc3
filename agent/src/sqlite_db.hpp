#pragma once

// Owning handles over the sqlite3 C API for the agent's local store. Every failure becomes an
// Error{kIo} carrying sqlite's own message; nothing here throws.

#include <sqlite3.h>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "mamori/error.hpp"

namespace mamori::agent::sqlite {

/// Error{kIo}: `what` and sqlite's message for `db` (which may be null).
Error error(sqlite3* db, std::string_view what);

/// True when `code` (primary or extended) says the file is damaged or is not a database at all,
/// as opposed to busy, locked, unreadable or out of space.
bool isCorruption(int code);

/// A prepared statement. Bind errors are remembered and returned by the next `step()`.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  Statement& bind(int index, std::int64_t value);
  Statement& bindText(int index, std::string_view value);
  Statement& bindBlob(int index, std::string_view value);
  /// Binds a value read from another statement's row (copied, with its type).
  Statement& bindValue(int index, const sqlite3_value* value);

  /// True when a row is available, false when done.
  std::expected<bool, Error> step();
  /// sqlite's result code for one step (SQLITE_ROW, SQLITE_DONE or an error): for callers that
  /// must tell corruption from other failures.
  int stepCode();
  /// Rewinds and clears the bindings, so the statement can run again.
  void reset();

  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] bool isNull(int column) const;
  [[nodiscard]] const sqlite3_value* value(int column) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
  int bind_status_ = SQLITE_OK;
};

/// One connection. Closing a connection that still has statements is deferred by sqlite until
/// they are finalized (sqlite3_close_v2), so member order never matters.
class Database {
 public:
  /// `flags` as for sqlite3_open_v2 (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, ...).
  static std::expected<Database, Error> open(const std::filesystem::path& file, int flags);

  /// Runs one or more statements that return nothing the caller needs.
  std::expected<void, Error> exec(const char* sql);
  std::expected<Statement, Error> prepare(std::string_view sql);
  /// The single integer a query (`PRAGMA user_version`) returns.
  std::expected<std::int64_t, Error> queryInteger(std::string_view sql);

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  [[nodiscard]] std::int64_t changes() const;
  /// Leaves the write-ahead log as it is when this connection closes: a damaged database is
  /// kept exactly as found, for salvage and for the person who investigates it.
  void keepWalOnClose();

  [[nodiscard]] sqlite3* get() const { return db_.get(); }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  explicit Database(sqlite3* db) : db_(db) {}
  std::unique_ptr<sqlite3, Close> db_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed uncommitted (an error on the way).
class Transaction {
 public:
  static std::expected<Transaction, Error> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  /// Durable once this returns (synchronous=FULL).
  std::expected<void, Error> commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace mamori::agent::sqlite
