#include "store_recovery.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string_view>
#include <system_error>

#include "store_schema.hpp"

namespace mamori::agent {
namespace {

namespace fs = std::filesystem;
using sqlite::Database;
using sqlite::Statement;

constexpr std::int64_t kMinRowid = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxRowid = std::numeric_limits<std::int64_t>::max();

fs::path withSuffix(const fs::path& file, std::string_view suffix) {
  return fs::path(file.string() + std::string(suffix));
}

void removeStoreFiles(const fs::path& file) {
  std::error_code ec;
  for (std::string_view suffix : {"", "-wal", "-shm"}) fs::remove(withSuffix(file, suffix), ec);
}

// ---- walking a damaged table --------------------------------------------------------------

struct Probe {
  int rc;
  std::int64_t rowid;
};

// Seeks to the first row at or after `from`, reading its key only.
Probe probeAt(Statement& probe, std::int64_t from) {
  probe.reset();
  probe.bind(1, from);
  const int rc = probe.stepCode();
  const Probe result{rc, rc == SQLITE_ROW ? probe.integer(0) : 0};
  probe.reset();
  return result;
}

bool reaches(Statement& probe, std::int64_t from) {
  const int rc = probeAt(probe, from).rc;
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

std::int64_t advance(std::int64_t from, std::uint64_t by) {
  // Two's complement wrap-around is defined (C++20); the caller keeps the sum within range.
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(from) + by);
}

std::uint64_t distance(std::int64_t from, std::int64_t to) {
  return static_cast<std::uint64_t>(to) - static_cast<std::uint64_t>(from);
}

// A seek to `from` fails: the page that would hold it is damaged, and so is every seek into that
// page's range of rowids. Past the range seeks work again; the first rowid that does is found by
// doubling steps, then bisection. (Of two damaged ranges close together, the readable rows
// between them may be missed: salvage is best effort.)
std::optional<std::int64_t> firstReachableAfter(Statement& probe, std::int64_t from) {
  std::int64_t bad = from;
  std::int64_t good = from;
  for (std::uint64_t step = 1;; step = step > (UINT64_MAX >> 1) ? UINT64_MAX : step * 2) {
    const std::uint64_t room = distance(bad, kMaxRowid);
    if (room == 0) return std::nullopt;
    const std::int64_t candidate = advance(bad, std::min(step, room));
    if (reaches(probe, candidate)) {
      good = candidate;
      break;
    }
    bad = candidate;
  }
  while (distance(bad, good) > 1) {
    const std::int64_t middle = advance(bad, distance(bad, good) / 2);
    (reaches(probe, middle) ? good : bad) = middle;
  }
  return good;
}

// Where to go on after reading failed at or after `from`; nullopt when nothing more is readable.
std::optional<std::int64_t> resumeAfterFailure(Statement& probe, std::int64_t from) {
  const Probe at = probeAt(probe, from);
  if (at.rc == SQLITE_DONE) return std::nullopt;
  if (at.rc == SQLITE_ROW) {
    // The row's key reads but its content does not: skip this row alone.
    if (at.rowid == kMaxRowid) return std::nullopt;
    return at.rowid + 1;
  }
  return firstReachableAfter(probe, from);
}

// A row the new store rejects (a damaged value breaking a constraint or a type) is skipped;
// anything else means the new store cannot be written.
bool rowIsAtFault(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG ||
         primary == SQLITE_RANGE;
}

struct Pass {
  std::int64_t next;  // the rowid the pass stopped at
  bool finished;      // true at the end of the table, false when reading failed
};

// Copies the rows from `from` on, in rowid order, until the end or the first read failure.
std::expected<Pass, Error> copyRows(Statement& select, Statement& insert, Database& fresh,
                                    int columns, std::int64_t from, int& copied) {
  select.reset();
  select.bind(1, from);
  for (;;) {
    const int rc = select.stepCode();
    if (rc == SQLITE_DONE) return Pass{from, true};
    if (rc != SQLITE_ROW) return Pass{from, false};
    const std::int64_t rowid = select.integer(0);
    for (int i = 1; i <= columns; ++i) insert.bindValue(i, select.value(i));
    const int written = insert.stepCode();
    if (written == SQLITE_DONE) {
      copied += static_cast<int>(fresh.changes());
    } else if (!rowIsAtFault(written)) {
      return std::unexpected(sqlite::error(fresh.get(), "cannot store a salvaged row"));
    }
    insert.reset();
    if (rowid == kMaxRowid) return Pass{rowid, true};
    from = rowid + 1;
  }
}

// The rows of one table copied; nullopt when the table cannot be read at all.
std::expected<std::optional<int>, Error> salvageTable(Database& damaged, Database& fresh,
                                                      const store_schema::Table& table) {
  const std::string name = table.name;
  const std::string columns = table.columns;
  auto select = damaged.prepare("SELECT rowid, " + columns + " FROM " + name +
                                " WHERE rowid >= ?1 ORDER BY rowid");
  auto probe =
      damaged.prepare("SELECT rowid FROM " + name + " WHERE rowid >= ?1 ORDER BY rowid LIMIT 1");
  if (!select || !probe) return std::optional<int>();
  std::string values = "?1";
  for (int i = 2; i <= table.count; ++i) values += ", ?" + std::to_string(i);
  auto insert =
      fresh.prepare("INSERT OR IGNORE INTO " + name + "(" + columns + ") VALUES(" + values + ")");
  if (!insert) return std::unexpected(insert.error());
  int copied = 0;
  std::optional<std::int64_t> from = kMinRowid;
  while (from) {
    const auto pass = copyRows(*select, *insert, fresh, table.count, *from, copied);
    if (!pass) return std::unexpected(pass.error());
    from = pass->finished ? std::nullopt : resumeAfterFailure(*probe, pass->next);
  }
  return copied;
}

// nullopt when not even the outbox's schema can be read (the header or the first page is gone).
std::expected<std::optional<SalvageCounts>, Error> salvageFrom(const fs::path& file,
                                                               Database& fresh) {
  auto damaged = Database::open(file, SQLITE_OPEN_READWRITE);
  if (!damaged) return std::optional<SalvageCounts>();
  damaged->keepWalOnClose();
  // Check each page's cells as it is read, so damage is reported rather than read as data.
  (void)damaged->exec("PRAGMA cell_size_check=ON; PRAGMA query_only=ON;");
  const auto reports = salvageTable(*damaged, fresh, store_schema::kOutbox);
  if (!reports) return std::unexpected(reports.error());
  if (!*reports) return std::optional<SalvageCounts>();
  const auto state = salvageTable(*damaged, fresh, store_schema::kState);
  if (!state) return std::unexpected(state.error());
  const auto counters = salvageTable(*damaged, fresh, store_schema::kCounters);
  if (!counters) return std::unexpected(counters.error());
  // Absent from a version-1 store: nothing to copy then.
  const auto audit = salvageTable(*damaged, fresh, store_schema::kAuditLog);
  if (!audit) return std::unexpected(audit.error());
  return SalvageCounts{**reports, state->value_or(0), audit->value_or(0)};
}

// ---- rebuilding a destroyed header ---------------------------------------------------------

void put32(std::array<unsigned char, 100>& header, std::size_t at, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i) {
    header[at + i] = static_cast<unsigned char>(value >> (24 - 8 * i));
  }
}

// The database header (sqlite.org/fileformat.html) of a store as LocalStore creates it, with
// `pages` pages. The free-page list is declared empty: salvage only reads.
std::array<unsigned char, 100> rebuiltHeader(std::uint32_t pages) {
  std::array<unsigned char, 100> h{};
  constexpr std::string_view kMagic("SQLite format 3\0", 16);
  std::ranges::copy(kMagic, h.begin());
  h[16] = static_cast<unsigned char>(store_schema::kPageSize >> 8);
  h[17] = static_cast<unsigned char>(store_schema::kPageSize & 0xff);
  h[18] = h[19] = 2;  // WAL
  h[21] = 64;         // payload fractions: fixed by the format
  h[22] = h[23] = 32;
  put32(h, 24, 1);  // change counter; equal to "version valid for" (92), so `pages` is trusted
  put32(h, 28, pages);
  put32(h, 40, 1);  // schema cookie
  put32(h, 44, 4);  // schema format
  put32(h, 56, 1);  // UTF-8
  put32(h, 60, static_cast<std::uint32_t>(store_schema::kVersion));
  put32(h, 68, static_cast<std::uint32_t>(store_schema::kApplicationId));
  put32(h, 92, 1);
  put32(h, 96, SQLITE_VERSION_NUMBER);
  return h;
}

// A copy of the damaged store (and its -wal) with a rebuilt header; nullopt when it cannot be made.
std::optional<fs::path> repairedCopy(const fs::path& damaged) {
  std::error_code ec;
  const auto size = fs::file_size(damaged, ec);
  if (ec || size < store_schema::kPageSize) return std::nullopt;
  const auto copy = withSuffix(damaged, ".repair");
  removeStoreFiles(copy);
  if (!fs::copy_file(damaged, copy, ec)) return std::nullopt;
  if (fs::exists(withSuffix(damaged, "-wal"), ec)) {
    fs::copy_file(withSuffix(damaged, "-wal"), withSuffix(copy, "-wal"), ec);
  }
  const auto pages = std::min<std::uintmax_t>(size / store_schema::kPageSize, UINT32_MAX);
  const auto header = rebuiltHeader(static_cast<std::uint32_t>(pages));
  std::fstream out(copy, std::ios::in | std::ios::out | std::ios::binary);
  out.write(reinterpret_cast<const char*>(header.data()), header.size());
  if (!out.flush()) {
    removeStoreFiles(copy);
    return std::nullopt;
  }
  return copy;
}

// The first lines of quick_check's answer, on one line for a log.
std::string oneLine(std::string text) {
  std::ranges::replace(text, '\n', ' ');
  return text;
}

// A failure that means damage becomes the diagnosis; any other stays an error.
std::expected<std::optional<std::string>, Error> damageOr(Database& db, Error error) {
  if (sqlite::isCorruption(sqlite3_extended_errcode(db.get()))) {
    return std::optional<std::string>(sqlite3_errmsg(db.get()));
  }
  return std::unexpected(std::move(error));
}

}  // namespace

std::expected<std::optional<std::string>, Error> checkIntegrity(Database& db) {
  // Three findings are enough to say why; the full list is for whoever opens the kept copy.
  auto check = db.prepare("PRAGMA quick_check(3)");
  if (!check) return damageOr(db, check.error());
  std::string diagnosis;
  for (;;) {
    const auto row = check->step();
    if (!row) return damageOr(db, row.error());
    if (!*row) break;
    const std::string line = check->text(0);
    if (line == "ok") return std::nullopt;
    diagnosis += (diagnosis.empty() ? "" : "; ") + oneLine(line);
  }
  if (diagnosis.empty()) return std::nullopt;
  return diagnosis;
}

std::expected<fs::path, Error> moveAside(const fs::path& file, std::int64_t unix_time) {
  const std::string base = file.string() + ".corrupt-" + std::to_string(unix_time);
  fs::path aside = base;
  std::error_code ec;
  for (int n = 1; fs::exists(fs::symlink_status(aside, ec)); ++n) {
    aside = base + "-" + std::to_string(n);
  }
  for (std::string_view suffix : {"", "-wal", "-shm"}) {
    const auto from = withSuffix(file, suffix);
    if (!suffix.empty() && !fs::exists(fs::symlink_status(from, ec))) continue;
    fs::rename(from, withSuffix(aside, suffix), ec);
    // A -wal left behind would be replayed into the new store: stop rather than go on.
    if (ec)
      return std::unexpected(
          makeError(ErrorCode::kIo, "cannot move the damaged store aside: " + ec.message(), from));
  }
  return aside;
}

std::expected<SalvageCounts, Error> salvageStore(const fs::path& damaged, Database& fresh) {
  const auto direct = salvageFrom(damaged, fresh);
  if (!direct) return std::unexpected(direct.error());
  if (*direct) return **direct;
  const auto copy = repairedCopy(damaged);
  if (!copy) return SalvageCounts{};
  const auto repaired = salvageFrom(*copy, fresh);
  removeStoreFiles(*copy);
  if (!repaired) return std::unexpected(repaired.error());
  return repaired->value_or(SalvageCounts{});
}

}  // namespace mamori::agent
