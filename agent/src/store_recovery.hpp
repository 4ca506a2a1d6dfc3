#pragma once

// Finding and surviving a damaged local store: the integrity check `LocalStore::open` runs, moving
// the damaged file aside, and salvaging what is still readable from it.

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "mamori/error.hpp"
#include "sqlite_db.hpp"

namespace mamori::agent {

/// `PRAGMA quick_check` on an open store. nullopt when healthy; sqlite's diagnosis when the file
/// is damaged or is not a database. Other failures (busy, unreadable) are errors: they are no
/// reason to move a file aside.
std::expected<std::optional<std::string>, Error> checkIntegrity(sqlite::Database& db);

/// Renames `file` and its -wal and -shm to `<file>.corrupt-<unix_time>` (plus -wal, -shm), with a
/// suffix when that name is taken. Returns the new name of `file`.
std::expected<std::filesystem::path, Error> moveAside(const std::filesystem::path& file,
                                                      std::int64_t unix_time);

/// Rows copied by `salvageStore`.
struct SalvageCounts {
  int reports = 0;
  int state = 0;
  int audit_events = 0;
};

/// Copies every outbox, state, counter and audit-log row still readable in the damaged store
/// `damaged` (and its -wal) into `fresh`, row by row, skipping rows and pages that fail. When even
/// the header is unreadable a copy with a rebuilt header is read instead; `damaged` itself is not
/// changed. Errors only when writing into `fresh` fails.
std::expected<SalvageCounts, Error> salvageStore(const std::filesystem::path& damaged,
                                                 sqlite::Database& fresh);

}  // namespace mamori::agent
