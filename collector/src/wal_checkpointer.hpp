#pragma once

// Checkpoints a SQLite database's write-ahead log from a thread of its own. SQLite's automatic
// checkpoint runs inside whichever commit crosses the threshold, and that commit holds the
// write lock while the log is copied into the database and synced: every report waiting behind
// it waited too (p99 over 100 ms under load). A PASSIVE checkpoint here takes no write lock, so
// reports keep committing while it copies.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "sql_pool.hpp"

namespace mamori::collector {

class WalCheckpointer {
 public:
  /// Starts checkpointing every `interval` through sessions from `pool`, which must outlive it.
  WalCheckpointer(SessionPool& pool, std::chrono::milliseconds interval);
  /// Stops the thread after one last checkpoint.
  ~WalCheckpointer();

  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  void run(const std::stop_token& stop);
  void checkpoint();

  SessionPool& pool_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace mamori::collector
