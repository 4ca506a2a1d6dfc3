#pragma once

// The agent's durable state: the outbox of reports not yet acknowledged by the collector, the
// audit log of decisions taken on the PC (USB, ...), and a small key/value table (enrollment,
// last report time, last admission). One sqlite3 file in the
// agent's state directory, `agent.db`.

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/facts.hpp"
#include "mamori/policy/time.hpp"

namespace mamori::protocol {
struct AuditEvent;
}

namespace mamori::agent {

namespace sqlite {
class Database;
}

/// A queued report.
struct OutboxEntry {
  std::string report_id;
  std::string body;
  policy::TimePoint queued_at;
  int attempts = 0;  ///< failed deliveries so far
  policy::TimePoint next_attempt_at;
  std::string last_error;  ///< why the last delivery failed; empty before the first attempt

  bool operator==(const OutboxEntry&) const = default;
};

/// An audit event in the local log.
struct AuditEntry {
  std::string event_id;
  policy::TimePoint at;
  std::string body;       ///< the event's JSON (protocol::toJson(AuditEvent))
  std::string report_id;  ///< the queued report that carries it; empty until one does

  bool operator==(const AuditEntry&) const = default;
};

/// How much the outbox may hold. A PC offline for months keeps queuing a report per cycle; it
/// must not fill its disk doing so. When a new report would exceed either limit, the oldest
/// reports are dropped (and counted, see `LocalStore::dropped()`): the newest report describes
/// the PC as it is now, which is what the collector admits it by, while old ones only fill in
/// history. At the default 15-minute interval 10,000 reports are about 100 days.
struct OutboxLimits {
  std::int64_t max_reports = 10'000;
  std::int64_t max_bytes = 256LL << 20;  ///< the sum of the bodies
  /// Audit events kept on the PC. Beyond it the oldest events already handed to a report go
  /// first; events no report carried yet are dropped (and counted) only when a flood of
  /// decisions (a BadUSB device re-plugging itself) fills the log with nothing else.
  std::int64_t max_audit_events = 100'000;
};

/// What `LocalStore::open` found. A recovered store is working, but the caller should log this.
struct OpenReport {
  bool recovered = false;          ///< the file was damaged, moved aside and replaced
  std::string reason;              ///< sqlite's diagnosis of the damage
  std::filesystem::path moved_to;  ///< `agent.db.corrupt-<unix time>`, kept for investigation
  int salvaged_reports = 0;        ///< outbox rows copied from the damaged file
  int salvaged_state = 0;          ///< state rows copied from the damaged file
  int salvaged_audit_events = 0;   ///< audit-log rows copied from the damaged file
};

/// The outbox and state over one sqlite3 file in WAL mode with synchronous=FULL: when `enqueue`
/// or `setState` returns, the change survives a crash or a power loss. Several processes may
/// open the same file (`run` and `status`); writers wait up to 5 s for each other. One object
/// is not thread-safe; a moved-from one may only be destroyed or assigned to. Every sqlite
/// failure of a change is returned as Error{kIo} with sqlite's message.
class LocalStore {
 public:
  /// Opens or creates `file`. A file that is not a database or fails `PRAGMA quick_check` is
  /// renamed aside (with its -wal and -shm) to `<file>.corrupt-<unix time>`, a new store is
  /// created, and every outbox and state row still readable in the damaged copy is copied into
  /// it; `lastOpen()` says so. Errors: the file cannot be opened or created (permissions, no
  /// such directory, locked longer than the timeout) -> kIo; a database of another program or of
  /// a newer agent -> kValidation (left untouched).
  static std::expected<LocalStore, Error> open(const std::filesystem::path& file,
                                               OutboxLimits limits = {});

  LocalStore(LocalStore&&) noexcept;
  LocalStore& operator=(LocalStore&&) noexcept;
  ~LocalStore();

  /// What the last `open` found.
  [[nodiscard]] const OpenReport& lastOpen() const { return last_open_; }

  // ---- outbox ----------------------------------------------------------------------------

  /// Queues a report, due at once. Queuing the same `report_id` again changes nothing (a retry
  /// after a crash between queuing and noticing). Drops the oldest reports when over the limits.
  /// A body larger than `max_bytes` on its own is refused (kValidation).
  /// `audit_event_ids` are the logged events the report carries: marked as carried by it in the
  /// same transaction, so each event reaches the collector in exactly one queued report.
  std::expected<void, Error> enqueue(std::string_view report_id, std::string_view body,
                                     policy::TimePoint now,
                                     std::span<const std::string> audit_event_ids = {});
  /// Up to `limit` reports whose next attempt is due at `now`, oldest first.
  std::expected<std::vector<OutboxEntry>, Error> due(policy::TimePoint now, int limit);
  /// Records a failed delivery: one more attempt, the reason, and when to try again. An unknown
  /// `report_id` (dropped meanwhile) is not an error.
  std::expected<void, Error> markFailed(std::string_view report_id,
                                        policy::TimePoint next_attempt_at, std::string_view error);
  /// Deletes a report. Call it only once the collector acknowledged the report's id.
  std::expected<void, Error> remove(std::string_view report_id);
  /// Reports waiting; -1 when the store cannot be read (the reads below are for `status` and
  /// logs, which show what they can rather than fail).
  std::int64_t queued();
  /// When the oldest waiting report was queued; nullopt when the outbox is empty or unreadable.
  std::optional<policy::TimePoint> oldestQueued();
  /// Reports dropped, over the store's life, to stay within the limits; -1 when unreadable.
  std::int64_t dropped();

  // ---- audit log -------------------------------------------------------------------------

  /// Logs an event durably. The same event id again changes nothing.
  std::expected<void, Error> appendAudit(std::string_view event_id, policy::TimePoint at,
                                         std::string_view body);
  /// The same for an event as the wire carries it.
  std::expected<void, Error> appendAudit(const protocol::AuditEvent& event);
  /// Up to `limit` events no queued report carries yet, oldest first.
  std::expected<std::vector<AuditEntry>, Error> unreportedAudit(int limit);
  /// The newest `limit` events, newest first, whether reported or not (`usb list`, `status`).
  std::expected<std::vector<AuditEntry>, Error> recentAudit(int limit);
  /// Events no queued report carries yet; -1 when unreadable.
  std::int64_t unreportedAuditCount();
  /// Unreported events dropped over the store's life to stay within the limit; -1 when unreadable.
  std::int64_t droppedAudit();
  /// The log as the USB-3 check sees it: how many events, how many wait, how many were lost.
  std::expected<policy::UsbAuditLog, Error> auditLog();

  // ---- state -----------------------------------------------------------------------------

  /// Sets `key` to `value`, replacing any earlier value.
  std::expected<void, Error> setState(std::string_view key, std::string_view value);
  /// The value of `key`; nullopt when it was never set (or cannot be read: the file passed its
  /// integrity check at `open`, so that would be a failing disk).
  std::optional<std::string> state(std::string_view key);

 private:
  LocalStore(std::unique_ptr<sqlite::Database> db, OutboxLimits limits, OpenReport report);
  /// The value of a row of `counters` (0 when absent, -1 when unreadable).
  std::int64_t counter(const char* name);

  std::unique_ptr<sqlite::Database> db_;
  OutboxLimits limits_;
  OpenReport last_open_;
};

}  // namespace mamori::agent
