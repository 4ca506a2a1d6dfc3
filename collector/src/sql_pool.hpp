#pragma once

// A small pool of database connections. Not Poco's SessionPool: in Poco 1.11 its destructor can
// deadlock with its own janitor timer (shutdown() holds the pool mutex while stopping a timer
// whose callback takes that mutex), and an idle janitor is not needed here; and a pooled SQLite
// connection keeps its prepared statements with it. Connections are opened on demand, set up
// with the dialect's per-connection statements, and kept for reuse.

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sql_connection.hpp"
#include "sql_dialect.hpp"

namespace mamori::collector {

class SessionPool {
 public:
  /// A connection on loan: back to the pool when destroyed, unless discarded.
  class Lease {
   public:
    Lease(SessionPool& pool, Connection connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& connection() { return *connection_; }
    Poco::Data::Session& session() { return connection_->session; }
    /// The connection is in an unknown state (a failed rollback): close it instead.
    void discard() { connection_.reset(); }

   private:
    SessionPool* pool_;
    std::optional<Connection> connection_;
  };

  /// Keeps at most `max_idle` idle connections; more may be on loan at once.
  SessionPool(Dialect dialect, std::string connection, std::size_t max_idle);

  /// An idle connection or a new one. Throws Poco exceptions when a new one cannot connect.
  Lease acquire();

 private:
  Connection open() const;
  void release(Connection connection);

  Dialect dialect_;
  std::string connection_;
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<Connection> idle_;
};

}  // namespace mamori::collector
