#pragma once

// A small pool of Poco::Data sessions. Not Poco's SessionPool: in Poco 1.11 its destructor can
// deadlock with its own janitor timer (shutdown() holds the pool mutex while stopping a timer
// whose callback takes that mutex), and an idle janitor is not needed here. Sessions are opened
// on demand, set up with the dialect's per-connection statements, and kept for reuse.

#include <Poco/Data/Session.h>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sql_dialect.hpp"

namespace mamori::collector {

class SessionPool {
 public:
  /// A session on loan: back to the pool when destroyed, unless discarded.
  class Lease {
   public:
    Lease(SessionPool& pool, Poco::Data::Session session)
        : pool_(&pool), session_(std::move(session)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Poco::Data::Session& session() { return *session_; }
    /// The connection is in an unknown state (a failed rollback): close it instead.
    void discard() { session_.reset(); }

   private:
    SessionPool* pool_;
    std::optional<Poco::Data::Session> session_;
  };

  /// Keeps at most `max_idle` idle sessions; more may be on loan at once.
  SessionPool(Dialect dialect, std::string connection, std::size_t max_idle);

  /// An idle session or a new one. Throws Poco exceptions when a new one cannot connect.
  Lease acquire();

 private:
  void release(Poco::Data::Session session);

  Dialect dialect_;
  std::string connection_;
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<Poco::Data::Session> idle_;
};

}  // namespace mamori::collector
