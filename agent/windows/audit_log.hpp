#pragma once

// The Windows agent's audit log (USB-3, 第43条, 第123条): every USB decision and every change of
// the firewall's mode, kept on the PC until a report the collector acknowledged carried it. The
// Linux agent keeps the same events in agent.db; here they are lines of audit.jsonl in the state
// folder (one event's JSON per line, appended and flushed before the call returns), with
// audit-state.json counting the lines already carried and the events lost.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mamori/policy/facts.hpp"
#include "mamori/protocol/audit_event.hpp"

namespace mamori::agent::windows {

class AuditLog {
 public:
  /// Events waiting beyond this are lost (counted as dropped): a PC cut off from the collector
  /// for months must not fill its disk.
  static constexpr std::int64_t kMaxWaiting = 20'000;
  /// Carried lines are cut from the file once there are this many.
  static constexpr std::int64_t kCompactAfter = 1'000;

  explicit AuditLog(std::filesystem::path dir);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  /// Appends `event`. Thread-safe. False when it could not be kept (then counted as dropped).
  bool append(const protocol::AuditEvent& event);

  /// What USB-3 judges: the events kept, those waiting, those lost, the last one's time.
  policy::Observed<policy::UsbAuditLog> facts();

  struct Waiting {
    std::vector<protocol::AuditEvent> events;
    std::size_t lines = 0;  ///< how many lines they took (a torn line is skipped, and counted)
  };
  /// The oldest events not yet carried, at most `max`.
  Waiting waiting(std::size_t max);

  /// The collector acknowledged a report carrying what waiting() returned: its `lines`.
  void carried(std::size_t lines);

 private:
  struct Counters {
    std::int64_t carried = 0;  ///< the first lines of audit.jsonl already carried
    std::int64_t dropped = 0;
  };
  std::vector<std::string> lines() const;
  Counters counters() const;
  void save(const Counters& counters);

  /// Lines in the file, counted once: an append must not read the whole log.
  std::int64_t keptLines();

  // This process's threads, and other processes (the named mutex).
  class Lock {
   public:
    explicit Lock(AuditLog& log);
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    AuditLog& log_;
    std::scoped_lock<std::mutex> guard_;
  };

  std::filesystem::path log_;
  std::filesystem::path state_;
  std::mutex mutex_;
  std::optional<std::int64_t> kept_;
  void* between_processes_;  ///< HANDLE of the named mutex; null when it could not be made
};

}  // namespace mamori::agent::windows
