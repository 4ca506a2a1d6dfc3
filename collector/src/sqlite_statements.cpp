#include "sqlite_statements.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>

#include <stdexcept>

namespace mamori::collector {
namespace {

// The store's SQL is built from constants only, so the distinct texts are few (a few dozen). The
// bound guards against a caller that one day puts values into the text: past it, statements are
// prepared for one use as before.
constexpr std::size_t kMaxKept = 128;

// The exception Poco::Data would throw for the same failure. Without the SQL text: a storage
// error's message reaches the client.
[[noreturn]] void fail(sqlite3* db, int rc) {
  Poco::Data::SQLite::Utility::throwException(db, rc);
  throw std::logic_error("unreachable: SQLite error not thrown");
}

}  // namespace

// One execution of a statement: binds the values, and on the way out (also by exception) resets
// the statement and drops the bindings, which borrow the caller's text, so that the next run
// finds it clean and no read transaction stays open.
class SqliteStatements::Run {
 public:
  Run(SqliteStatements& owner, std::string_view sql, std::span<const sql::Bound> values)
      : owner_(owner), sql_(sql) {
    if (owner.statements_.size() < kMaxKept || owner.statements_.contains(sql)) {
      statement_ = owner.prepared(sql);
    } else {
      kept_ = false;
      statement_ = prepare();
    }
    try {
      bindAll(values);
    } catch (...) {
      release();
      throw;
    }
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
  ~Run() { release(); }

  /// The next row: true while there is one.
  bool step() {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(owner_.db_, rc);
  }

  [[nodiscard]] sqlite3_stmt* statement() const { return statement_; }

 private:
  sqlite3_stmt* prepare() {
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v3(owner_.db_, sql_.data(), static_cast<int>(sql_.size()), 0,
                                      &statement, nullptr);
    if (rc != SQLITE_OK) fail(owner_.db_, rc);
    return statement;
  }

  void release() {
    if (!kept_) {
      sqlite3_finalize(statement_);
      return;
    }
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

  void bindAll(std::span<const sql::Bound> values) {
    int index = 0;
    for (const auto& value : values) {
      ++index;
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<std::int64_t>(&value)) {
        rc = sqlite3_bind_int64(statement_, index, *n);
      } else if (const auto* text = std::get_if<std::string_view>(&value)) {
        // Borrowed (SQLITE_STATIC): the caller's text outlives this Run, which unbinds it. An
        // empty view may have no data pointer, which SQLite would bind as NULL.
        const char* data = text->empty() ? "" : text->data();
        rc = sqlite3_bind_text64(statement_, index, data, text->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(statement_, index);
      }
      if (rc != SQLITE_OK) fail(owner_.db_, rc);
    }
  }

  SqliteStatements& owner_;
  std::string_view sql_;
  sqlite3_stmt* statement_ = nullptr;
  bool kept_ = true;
};

SqliteStatements::~SqliteStatements() {
  for (const auto& [sql, statement] : statements_) sqlite3_finalize(statement);
}

sqlite3_stmt* SqliteStatements::prepared(std::string_view sql) {
  if (const auto found = statements_.find(sql); found != statements_.end()) return found->second;
  sqlite3_stmt* statement = nullptr;
  // PERSISTENT: kept for the connection's life, so SQLite takes its memory from the heap instead
  // of the lookaside buffers meant for short-lived statements.
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc);
  statements_.emplace(std::string(sql), statement);
  return statement;
}

std::size_t SqliteStatements::exec(std::string_view sql, std::span<const sql::Bound> values) {
  Run run(*this, sql, values);
  while (run.step()) {
  }
  // Rows changed by this statement; 0 for one that changes none (sqlite3_changes would still
  // count the last INSERT, UPDATE or DELETE before it).
  return sqlite3_stmt_readonly(run.statement()) ? 0
                                                : static_cast<std::size_t>(sqlite3_changes(db_));
}

sql::Rows SqliteStatements::query(std::string_view sql, std::span<const sql::Bound> values) {
  Run run(*this, sql, values);
  auto* statement = run.statement();
  sql::Rows rows(static_cast<std::size_t>(sqlite3_column_count(statement)));
  while (run.step()) {
    for (int i = 0; i < static_cast<int>(rows.columnCount()); ++i) {
      switch (sqlite3_column_type(statement, i)) {
        case SQLITE_NULL: rows.addNull(); break;
        case SQLITE_INTEGER:
          rows.addInteger(static_cast<std::int64_t>(sqlite3_column_int64(statement, i)));
          break;
        default: {  // text; REAL and BLOB do not occur in the schema and come out as text
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
          rows.addText(
              std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, i))));
        }
      }
    }
  }
  return rows;
}

}  // namespace mamori::collector
