#include "sql_pool.hpp"

#include "sql_support.hpp"

namespace mamori::collector {

SessionPool::Lease::~Lease() {
  if (session_) pool_->release(std::move(*session_));
}

SessionPool::SessionPool(Dialect dialect, std::string connection, std::size_t max_idle)
    : dialect_(dialect), connection_(std::move(connection)), max_idle_(max_idle) {}

SessionPool::Lease SessionPool::acquire() {
  {
    const std::lock_guard lock(mutex_);
    while (!idle_.empty()) {
      auto session = std::move(idle_.back());
      idle_.pop_back();
      if (session.isConnected()) return Lease(*this, std::move(session));
    }
  }
  Poco::Data::Session session(dialect_.connector(), connection_, dialect_.connectTimeout());
  for (const auto& statement : dialect_.sessionSetup()) sql::exec(session, dialect_, statement);
  return Lease(*this, std::move(session));
}

void SessionPool::release(Poco::Data::Session session) {
  const std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(session));
}

}  // namespace mamori::collector
