#pragma once

// The statements run on one SQLite connection, each prepared once and kept. Poco::Data 1.11
// prepares every statement anew on every execute, and parsing and planning the report path's
// statements cost about a fifth of the collector's CPU; SQLite can instead keep a statement and
// run it again after a reset. The cache belongs to one connection (sqlite3_stmt is tied to its
// sqlite3*) and must be destroyed before that connection closes: Connection declares it after
// the session for that reason.

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sql_values.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace mamori::collector {

class SqliteStatements {
 public:
  /// Statements for `db`, which must stay open for this object's lifetime.
  explicit SqliteStatements(sqlite3* db) : db_(db) {}
  SqliteStatements(const SqliteStatements&) = delete;
  SqliteStatements& operator=(const SqliteStatements&) = delete;
  ~SqliteStatements();

  /// Runs `sql` (`?` placeholders) with `values` bound; returns the number of rows it changed.
  /// Throws Poco::Data::SQLite exceptions, as Poco::Data would for the same statement.
  std::size_t exec(std::string_view sql, std::span<const sql::Bound> values);
  /// Runs the query `sql` with `values` bound and returns its rows.
  sql::Rows query(std::string_view sql, std::span<const sql::Bound> values);

 private:
  class Run;

  /// The kept statement for `sql`, prepared on first use.
  sqlite3_stmt* prepared(std::string_view sql);

  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
};

}  // namespace mamori::collector
