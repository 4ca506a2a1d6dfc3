#include "wal_checkpointer.hpp"

#include <Poco/Logger.h>

#include <exception>

#include "sql_support.hpp"

namespace mamori::collector {

WalCheckpointer::WalCheckpointer(SessionPool& pool, std::chrono::milliseconds interval)
    : pool_(pool), interval_(interval), thread_([this](const std::stop_token& s) { run(s); }) {}

WalCheckpointer::~WalCheckpointer() {
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

void WalCheckpointer::run(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    wake_.wait_for(lock, stop, interval_, [] { return false; });
    lock.unlock();
    checkpoint();
    lock.lock();
  }
}

void WalCheckpointer::checkpoint() {
  try {
    auto lease = pool_.acquire();
    lease.session() << "PRAGMA wal_checkpoint(PASSIVE)", Poco::Data::Keywords::now;
  } catch (const std::exception& e) {
    // Not fatal: the log only grows until the next round succeeds.
    Poco::Logger::get("mamori.collector.store")
        .warning("WAL checkpoint: %s", std::string(e.what()));
  }
}

}  // namespace mamori::collector
