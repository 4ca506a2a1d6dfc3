#include "sqlite_db.hpp"

namespace mamori::agent::sqlite {

Error error(sqlite3* db, std::string_view what) {
  Error e;
  e.code = ErrorCode::kIo;
  e.message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
  if (db) {
    if (const char* file = sqlite3_db_filename(db, "main")) e.file = file;
  }
  return e;
}

bool isCorruption(int code) {
  const int primary = code & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (bind_status_ == SQLITE_OK) bind_status_ = rc;
  return *this;
}

Statement& Statement::bindText(int index, std::string_view value) {
  const int rc = sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_status_ == SQLITE_OK) bind_status_ = rc;
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view value) {
  // A null pointer would bind NULL rather than an empty blob.
  const int rc = sqlite3_bind_blob64(stmt_.get(), index, value.empty() ? "" : value.data(),
                                     value.size(), SQLITE_TRANSIENT);
  if (bind_status_ == SQLITE_OK) bind_status_ = rc;
  return *this;
}

Statement& Statement::bindValue(int index, const sqlite3_value* value) {
  const int rc = sqlite3_bind_value(stmt_.get(), index, value);
  if (bind_status_ == SQLITE_OK) bind_status_ = rc;
  return *this;
}

int Statement::stepCode() {
  if (bind_status_ != SQLITE_OK) return bind_status_;
  return sqlite3_step(stmt_.get());
}

std::expected<bool, Error> Statement::step() {
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  if (bind_status_ != SQLITE_OK) {
    return std::unexpected(error(db, std::string("cannot bind: ") + sqlite3_errstr(bind_status_)));
  }
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(error(db, sqlite3_sql(stmt_.get())));
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_status_ = SQLITE_OK;
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

std::string Statement::text(int column) const {
  // Blob or text alike: the bytes as stored. The pointer comes before the size (sqlite's rule).
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), column));
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  return data ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

const sqlite3_value* Statement::value(int column) const {
  return sqlite3_column_value(stmt_.get(), column);
}

std::expected<Database, Error> Database::open(const std::filesystem::path& file, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags | SQLITE_OPEN_EXRESCODE, nullptr);
  Database db(raw);  // closes the handle sqlite allocates even when opening fails
  if (rc != SQLITE_OK) {
    auto e = error(raw, "cannot open the database");
    e.file = file.string();
    return std::unexpected(std::move(e));
  }
  return db;
}

std::expected<void, Error> Database::exec(const char* sql) {
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return std::unexpected(error(db_.get(), sql));
  }
  return {};
}

std::expected<Statement, Error> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(stmt);
    return std::unexpected(error(db_.get(), "cannot prepare " + std::string(sql)));
  }
  return Statement(stmt);
}

std::expected<std::int64_t, Error> Database::queryInteger(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt) return std::unexpected(stmt.error());
  const auto row = stmt->step();
  if (!row) return std::unexpected(row.error());
  return *row ? stmt->integer(0) : 0;
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_.get()); }

void Database::keepWalOnClose() {
  sqlite3_db_config(db_.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

std::expected<Transaction, Error> Transaction::begin(Database& db) {
  if (auto ok = db.exec("BEGIN IMMEDIATE"); !ok) return std::unexpected(ok.error());
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_) sqlite3_exec(db_->get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

std::expected<void, Error> Transaction::commit() {
  Database* db = std::exchange(db_, nullptr);
  if (auto ok = db->exec("COMMIT"); !ok) {
    // A failed COMMIT may leave the transaction open: end it so the connection stays usable.
    sqlite3_exec(db->get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return ok;
  }
  return {};
}

}  // namespace mamori::agent::sqlite
