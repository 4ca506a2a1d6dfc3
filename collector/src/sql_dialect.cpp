#include "sql_dialect.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>

#include "sql_support.hpp"

namespace mamori::collector {

std::string Dialect::connector() const {
  return engine_ == Engine::kSqlite ? Poco::Data::SQLite::Connector::KEY
                                    : Poco::Data::PostgreSQL::Connector::KEY;
}

std::string Dialect::placeholders(std::string_view sql) const {
  if (engine_ == Engine::kSqlite) return std::string(sql);
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (const char c : sql) {
    if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> Dialect::sessionSetup() const {
  if (engine_ == Engine::kPostgres) return {"SET client_min_messages = warning"};
  // journal_mode is stored in the file; the others hold per connection. NORMAL in WAL mode
  // loses at most the last transactions on power loss, never consistency. No automatic
  // checkpoints: WalCheckpointer runs them outside the commits (see there why).
  return {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
          "PRAGMA busy_timeout = 10000", "PRAGMA wal_autocheckpoint = 0"};
}

// SQLite's transaction statements run as kept statements like any other (sql::exec), so they are
// not parsed again on every report.
void Dialect::begin(Connection& connection) const {
  if (engine_ == Engine::kSqlite) {
    sql::exec(connection, *this, "BEGIN IMMEDIATE");
  } else {
    connection.session.begin();
  }
}

void Dialect::commit(Connection& connection) const {
  if (engine_ == Engine::kSqlite) {
    sql::exec(connection, *this, "COMMIT");
  } else {
    connection.session.commit();
  }
}

void Dialect::rollback(Connection& connection) const {
  if (engine_ == Engine::kSqlite) {
    sql::exec(connection, *this, "ROLLBACK");
  } else {
    connection.session.rollback();
  }
}

}  // namespace mamori::collector
