#include "sql_dialect.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>

namespace mamori::collector {

using Poco::Data::Keywords::now;

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

void Dialect::begin(Poco::Data::Session& session) const {
  if (engine_ == Engine::kSqlite) {
    session << "BEGIN IMMEDIATE", now;
  } else {
    session.begin();
  }
}

void Dialect::commit(Poco::Data::Session& session) const {
  if (engine_ == Engine::kSqlite) {
    session << "COMMIT", now;
  } else {
    session.commit();
  }
}

void Dialect::rollback(Poco::Data::Session& session) const {
  if (engine_ == Engine::kSqlite) {
    session << "ROLLBACK", now;
  } else {
    session.rollback();
  }
}

}  // namespace mamori::collector
