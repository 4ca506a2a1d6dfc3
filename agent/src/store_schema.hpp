#pragma once

// The layout of the agent's local store (agent.db), shared by the store and its salvage.

#include <cstdint>

namespace mamori::agent::store_schema {

/// `PRAGMA application_id`: "mamo". Tells our file from another program's sqlite database.
inline constexpr std::int64_t kApplicationId = 0x6d616d6f;
/// `PRAGMA user_version`.
/// 1: outbox, state, counters. 2: audit_log (opening a version-1 store adds it).
inline constexpr std::int64_t kVersion = 2;
/// Fixed rather than sqlite's default so that a store whose header was destroyed can be read
/// again with a rebuilt one.
inline constexpr std::uint32_t kPageSize = 4096;

/// Applied to a new, empty file before anything else: page size and vacuum mode can only be
/// chosen before the first table and before WAL mode.
inline constexpr const char* kFileSettings = "PRAGMA page_size=4096; PRAGMA auto_vacuum=NONE;";

// Times are Unix seconds. An audit event's `report_id` is the queued report that carries it to
// the collector (NULL until one does); the log keeps events after that, for investigation on the
// PC (第123条), within a limit. `id` is the queue order, independent of the wall clock; `size` is
// the body's length, so the byte budget is summed without reading the bodies. Every table keeps a
// rowid: the salvage walks tables by rowid.
inline constexpr const char* kTables = R"(
CREATE TABLE IF NOT EXISTS outbox(
  id INTEGER PRIMARY KEY,
  report_id TEXT NOT NULL UNIQUE,
  queued_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL,
  body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_age ON outbox(queued_at, size);
CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit_log(
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  at INTEGER NOT NULL,
  body TEXT NOT NULL,
  report_id TEXT);
CREATE INDEX IF NOT EXISTS audit_unreported ON audit_log(report_id, id);
PRAGMA application_id=1835101551;
PRAGMA user_version=2;
)";

/// A table and the columns the salvage copies, in the order both statements use.
struct Table {
  const char* name;
  const char* columns;
  int count;
};

inline constexpr Table kOutbox{
    "outbox", "id, report_id, queued_at, attempts, next_attempt_at, last_error, size, body", 8};
inline constexpr Table kState{"state", "key, value", 2};
inline constexpr Table kCounters{"counters", "name, value", 2};
inline constexpr Table kAuditLog{"audit_log", "id, event_id, at, body, report_id", 5};

/// The `counters` row counting reports dropped to stay within the outbox limits.
inline constexpr const char* kDroppedCounter = "outbox.dropped";
/// The `counters` row counting audit events dropped before any report carried them.
inline constexpr const char* kAuditDroppedCounter = "audit.dropped";

}  // namespace mamori::agent::store_schema
