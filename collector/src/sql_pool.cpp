#include "sql_pool.hpp"

#include <Poco/Data/SQLite/Utility.h>

#include "sql_support.hpp"

namespace mamori::collector {

SessionPool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(*connection_));
}

SessionPool::SessionPool(Dialect dialect, std::string connection, std::size_t max_idle)
    : dialect_(dialect), connection_(std::move(connection)), max_idle_(max_idle) {}

SessionPool::Lease SessionPool::acquire() {
  {
    const std::lock_guard lock(mutex_);
    while (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection.session.isConnected()) return Lease(*this, std::move(connection));
    }
  }
  return Lease(*this, open());
}

Connection SessionPool::open() const {
  Connection connection{
      Poco::Data::Session(dialect_.connector(), connection_, dialect_.connectTimeout()), nullptr};
  for (const auto& statement : dialect_.sessionSetup()) {
    sql::exec(connection.session, dialect_, statement);
  }
  if (dialect_.engine() == Engine::kSqlite) {
    connection.statements = std::make_unique<SqliteStatements>(
        Poco::Data::SQLite::Utility::dbHandle(connection.session));
  }
  return connection;
}

void SessionPool::release(Connection connection) {
  const std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
}

}  // namespace mamori::collector
