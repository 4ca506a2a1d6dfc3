#pragma once

// The USB enforcer's reports, written on a thread of their own: the enforcer calls back while it
// holds its lock, and a flushed append to the audit log, a line in the event log or a message
// box for the staff member takes milliseconds the next hot-plug should not wait for. (The Linux
// agent's AuditRecorder does the same with agent.db.)

#include <windows.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "audit_log.hpp"
#include "staff_notices.hpp"

namespace mamori::agent::windows {

class AuditWriter {
 public:
  /// `log` must outlive the writer.
  explicit AuditWriter(AuditLog& log);
  /// Writes what is still queued, then stops.
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  /// Queues `event` for the audit log (none: nothing to keep), `line` for the event log and
  /// `notice` for the person at the console (none: nothing to tell). Thread-safe; returns at
  /// once.
  void post(std::optional<protocol::AuditEvent> event, WORD type, std::string line,
            std::optional<StaffNotice> notice = std::nullopt);

  /// Blocks until everything posted so far is written.
  void flush();

 private:
  struct Entry {
    std::optional<protocol::AuditEvent> event;
    WORD type = EVENTLOG_INFORMATION_TYPE;
    std::string line;
    std::optional<StaffNotice> notice;
  };
  void writeLoop();

  AuditLog& log_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Entry> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace mamori::agent::windows
