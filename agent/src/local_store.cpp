#include "local_store.hpp"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <utility>

#include "mamori/protocol/audit_event.hpp"
#include "sqlite_db.hpp"
#include "store_recovery.hpp"
#include "store_schema.hpp"

namespace mamori::agent {
namespace {

namespace fs = std::filesystem;
namespace schema = store_schema;
using sqlite::Database;
using sqlite::Statement;
using sqlite::Transaction;

// `run` and `status` may hold the file at the same moment; a writer's transaction is short.
constexpr int kBusyTimeoutMs = 5000;
// A delivery error may be a whole HTML page from a proxy; the first kilobyte says enough.
constexpr std::size_t kMaxErrorBytes = 1024;

std::int64_t unixSeconds(policy::TimePoint t) { return t.time_since_epoch().count(); }

policy::TimePoint fromUnix(std::int64_t seconds) {
  return policy::TimePoint(std::chrono::seconds(seconds));
}

// Cut at a character boundary, so the stored text stays valid UTF-8.
std::string_view truncated(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xc0) == 0x80) --limit;
  return text.substr(0, limit);
}

std::expected<void, Error> run(std::expected<Statement, Error>& stmt) {
  if (!stmt) return std::unexpected(stmt.error());
  if (const auto done = stmt->step(); !done) return std::unexpected(done.error());
  return {};
}

std::expected<Database, Error> connect(const fs::path& file) {
  auto db = Database::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (db) sqlite3_busy_timeout(db->get(), kBusyTimeoutMs);
  return db;
}

std::expected<void, Error> useWal(Database& db, const fs::path& file) {
  auto mode = db.prepare("PRAGMA journal_mode=WAL");
  if (!mode) return std::unexpected(mode.error());
  if (const auto row = mode->step(); !row) return std::unexpected(row.error());
  if (mode->text(0) != "wal") {
    return std::unexpected(makeError(ErrorCode::kIo,
                                     "the file system does not support sqlite's WAL mode (journal "
                                     "mode is \"" +
                                         mode->text(0) + "\")",
                                     file));
  }
  return {};
}

// synchronous=FULL: in WAL mode NORMAL may lose the last commits on power loss, and a report
// counts as queued only once its commit is durable.
std::expected<void, Error> prepareFile(Database& db, const fs::path& file) {
  const auto application = db.queryInteger("PRAGMA application_id");
  if (!application) return std::unexpected(application.error());
  if (*application != 0 && *application != schema::kApplicationId) {
    return std::unexpected(
        makeError(ErrorCode::kValidation, "not a mamori agent store (another program's)", file));
  }
  const auto version = db.queryInteger("PRAGMA user_version");
  if (!version) return std::unexpected(version.error());
  if (*version > schema::kVersion) {
    return std::unexpected(makeError(
        ErrorCode::kValidation,
        "written by a newer mamori agent (store version " + std::to_string(*version) + ")", file));
  }
  if (*version == 0) {
    if (auto ok = db.exec(schema::kFileSettings); !ok) return ok;
  }
  if (auto ok = useWal(db, file); !ok) return ok;
  if (auto ok = db.exec("PRAGMA synchronous=FULL"); !ok) return ok;
  auto tx = Transaction::begin(db);
  if (!tx) return std::unexpected(tx.error());
  if (auto ok = db.exec(schema::kTables); !ok) return ok;
  return tx->commit();
}

// Adds `n` to the counter `name`.
std::expected<void, Error> count(Database& db, const char* name, std::int64_t n) {
  auto add = db.prepare(
      "INSERT INTO counters(name, value) VALUES(?1, ?2) "
      "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value");
  if (add) add->bindText(1, name).bind(2, n);
  return run(add);
}

// Deletes the oldest reports beyond either limit (the newest are kept) and counts them.
std::expected<std::int64_t, Error> dropOldest(Database& db, const OutboxLimits& limits) {
  auto drop = db.prepare(R"(
    DELETE FROM outbox WHERE id IN (
      SELECT id FROM (
        SELECT id, count(*) OVER newest AS reports, sum(size) OVER newest AS bytes FROM outbox
        WINDOW newest AS (ORDER BY id DESC ROWS UNBOUNDED PRECEDING))
      WHERE reports > ?1 OR bytes > ?2))");
  if (drop) drop->bind(1, limits.max_reports).bind(2, limits.max_bytes);
  if (auto ok = run(drop); !ok) return std::unexpected(ok.error());
  const std::int64_t dropped = db.changes();
  if (dropped == 0) return 0;
  if (auto ok = count(db, schema::kDroppedCounter, dropped); !ok) {
    return std::unexpected(ok.error());
  }
  return dropped;
}

// Only events no report carries yet: one already handed to a report stays with it.
std::expected<void, Error> markCarried(Database& db, std::string_view report_id,
                                       std::span<const std::string> event_ids) {
  auto mark = db.prepare(
      "UPDATE audit_log SET report_id = ?1 WHERE event_id = ?2 AND "
      "report_id IS NULL");
  if (!mark) return std::unexpected(mark.error());
  for (const auto& id : event_ids) {
    mark->reset();
    mark->bindText(1, report_id).bindText(2, id);
    if (const auto done = mark->step(); !done) return std::unexpected(done.error());
  }
  return {};
}

// Keeps the log within `limit`: the oldest events the collector already has go first; events no
// report carried yet only when that is not enough, and those are counted as lost.
std::expected<void, Error> trimAuditLog(Database& db, std::int64_t limit) {
  const auto total = db.queryInteger("SELECT count(*) FROM audit_log");
  if (!total) return std::unexpected(total.error());
  if (*total <= limit) return {};
  const auto reported =
      db.queryInteger("SELECT count(*) FROM audit_log WHERE report_id IS NOT NULL");
  if (!reported) return std::unexpected(reported.error());
  const std::int64_t excess = *total - limit;
  const std::int64_t unreported_lost = std::max<std::int64_t>(0, excess - *reported);
  auto trim = db.prepare(
      "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log "
      "ORDER BY report_id IS NULL, id LIMIT ?1)");
  if (trim) trim->bind(1, excess);
  if (auto ok = run(trim); !ok) return ok;
  if (unreported_lost == 0) return {};
  return count(db, schema::kAuditDroppedCounter, unreported_lost);
}

// The damaged file is moved aside, a new one takes its place, and what can be read is copied.
std::expected<std::pair<Database, OpenReport>, Error> recover(const fs::path& file,
                                                              const OutboxLimits& limits,
                                                              std::string reason) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto aside = moveAside(file, now.time_since_epoch().count());
  if (!aside) return std::unexpected(aside.error());
  auto db = connect(file);
  if (!db) return std::unexpected(db.error());
  if (auto ok = prepareFile(*db, file); !ok) return std::unexpected(ok.error());
  auto tx = Transaction::begin(*db);
  if (!tx) return std::unexpected(tx.error());
  const auto counts = salvageStore(*aside, *db);
  if (!counts) return std::unexpected(counts.error());
  if (auto dropped = dropOldest(*db, limits); !dropped) return std::unexpected(dropped.error());
  if (auto ok = tx->commit(); !ok) return std::unexpected(ok.error());
  OpenReport report{true,          std::move(reason),   *aside, counts->reports,
                    counts->state, counts->audit_events};
  return std::pair{std::move(*db), std::move(report)};
}

}  // namespace

LocalStore::LocalStore(std::unique_ptr<Database> db, OutboxLimits limits, OpenReport report)
    : db_(std::move(db)), limits_(limits), last_open_(std::move(report)) {}
LocalStore::LocalStore(LocalStore&&) noexcept = default;
LocalStore& LocalStore::operator=(LocalStore&&) noexcept = default;
LocalStore::~LocalStore() = default;

std::expected<LocalStore, Error> LocalStore::open(const fs::path& file, OutboxLimits limits) {
  std::string damage;
  {
    auto db = connect(file);
    if (!db) return std::unexpected(db.error());
    const auto check = checkIntegrity(*db);
    if (!check) return std::unexpected(check.error());
    if (!*check) {
      if (auto ok = prepareFile(*db, file); !ok) return std::unexpected(ok.error());
      return LocalStore(std::make_unique<Database>(std::move(*db)), limits, OpenReport{});
    }
    damage = **check;
    db->keepWalOnClose();
  }  // closed before the file is moved
  auto recovered = recover(file, limits, std::move(damage));
  if (!recovered) return std::unexpected(recovered.error());
  return LocalStore(std::make_unique<Database>(std::move(recovered->first)), limits,
                    std::move(recovered->second));
}

std::expected<void, Error> LocalStore::enqueue(std::string_view report_id, std::string_view body,
                                               policy::TimePoint now,
                                               std::span<const std::string> audit_event_ids) {
  const auto size = static_cast<std::int64_t>(body.size());
  if (size > limits_.max_bytes) {
    return std::unexpected(makeError(ErrorCode::kValidation,
                                     "report " + std::string(report_id) + " alone (" +
                                         std::to_string(size) + " bytes) exceeds the outbox budget",
                                     {}));
  }
  auto tx = Transaction::begin(*db_);
  if (!tx) return std::unexpected(tx.error());
  auto insert = db_->prepare(
      "INSERT INTO outbox(report_id, queued_at, next_attempt_at, size, body) "
      "VALUES(?1, ?2, ?2, ?3, ?4) ON CONFLICT(report_id) DO NOTHING");
  if (insert) insert->bindText(1, report_id).bind(2, unixSeconds(now)).bind(3, size);
  if (insert) insert->bindBlob(4, body);
  if (auto ok = run(insert); !ok) return ok;
  if (db_->changes() > 0) {
    if (auto dropped = dropOldest(*db_, limits_); !dropped) return std::unexpected(dropped.error());
    if (auto ok = markCarried(*db_, report_id, audit_event_ids); !ok) return ok;
  }
  return tx->commit();
}

std::expected<std::vector<OutboxEntry>, Error> LocalStore::due(policy::TimePoint now, int limit) {
  auto select = db_->prepare(
      "SELECT report_id, body, queued_at, attempts, next_attempt_at, last_error FROM outbox "
      "WHERE next_attempt_at <= ?1 ORDER BY id LIMIT ?2");
  if (!select) return std::unexpected(select.error());
  select->bind(1, unixSeconds(now)).bind(2, std::max(limit, 0));
  std::vector<OutboxEntry> entries;
  for (;;) {
    const auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return entries;
    entries.push_back({select->text(0), select->text(1), fromUnix(select->integer(2)),
                       static_cast<int>(select->integer(3)), fromUnix(select->integer(4)),
                       select->text(5)});
  }
}

std::expected<void, Error> LocalStore::markFailed(std::string_view report_id,
                                                  policy::TimePoint next_attempt_at,
                                                  std::string_view error) {
  auto update = db_->prepare(
      "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
      "WHERE report_id = ?1");
  if (update) {
    update->bindText(1, report_id).bind(2, unixSeconds(next_attempt_at));
    update->bindText(3, truncated(error, kMaxErrorBytes));
  }
  return run(update);
}

std::expected<void, Error> LocalStore::remove(std::string_view report_id) {
  auto erase = db_->prepare("DELETE FROM outbox WHERE report_id = ?1");
  if (erase) erase->bindText(1, report_id);
  return run(erase);
}

std::int64_t LocalStore::queued() {
  return db_->queryInteger("SELECT count(*) FROM outbox").value_or(-1);
}

std::optional<policy::TimePoint> LocalStore::oldestQueued() {
  auto select = db_->prepare("SELECT min(queued_at) FROM outbox");
  if (!select) return std::nullopt;
  const auto row = select->step();
  if (!row || !*row || select->isNull(0)) return std::nullopt;
  return fromUnix(select->integer(0));
}

std::expected<void, Error> LocalStore::appendAudit(const protocol::AuditEvent& event) {
  return appendAudit(event.event_id, event.at, boost::json::serialize(protocol::toJson(event)));
}

std::expected<void, Error> LocalStore::appendAudit(std::string_view event_id, policy::TimePoint at,
                                                   std::string_view body) {
  auto tx = Transaction::begin(*db_);
  if (!tx) return std::unexpected(tx.error());
  auto insert = db_->prepare(
      "INSERT INTO audit_log(event_id, at, body) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(event_id) DO NOTHING");
  if (insert) insert->bindText(1, event_id).bind(2, unixSeconds(at)).bindText(3, body);
  if (auto ok = run(insert); !ok) return ok;
  if (auto ok = trimAuditLog(*db_, limits_.max_audit_events); !ok) return ok;
  return tx->commit();
}

namespace {

std::expected<std::vector<AuditEntry>, Error> auditRows(std::expected<Statement, Error> select) {
  if (!select) return std::unexpected(select.error());
  std::vector<AuditEntry> entries;
  for (;;) {
    const auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return entries;
    entries.push_back(
        {select->text(0), fromUnix(select->integer(1)), select->text(2), select->text(3)});
  }
}

}  // namespace

std::expected<std::vector<AuditEntry>, Error> LocalStore::unreportedAudit(int limit) {
  auto select = db_->prepare(
      "SELECT event_id, at, body, '' FROM audit_log WHERE report_id IS NULL ORDER BY id LIMIT ?1");
  if (select) select->bind(1, std::max(limit, 0));
  return auditRows(std::move(select));
}

std::expected<std::vector<AuditEntry>, Error> LocalStore::recentAudit(int limit) {
  auto select = db_->prepare(
      "SELECT event_id, at, body, coalesce(report_id, '') FROM audit_log ORDER BY id DESC "
      "LIMIT ?1");
  if (select) select->bind(1, std::max(limit, 0));
  return auditRows(std::move(select));
}

std::int64_t LocalStore::unreportedAuditCount() {
  return db_->queryInteger("SELECT count(*) FROM audit_log WHERE report_id IS NULL").value_or(-1);
}

std::int64_t LocalStore::droppedAudit() { return counter(schema::kAuditDroppedCounter); }

std::expected<policy::UsbAuditLog, Error> LocalStore::auditLog() {
  auto select = db_->prepare(
      "SELECT count(*), count(*) FILTER (WHERE report_id IS NULL), max(at) FROM audit_log");
  if (!select) return std::unexpected(select.error());
  if (const auto row = select->step(); !row) return std::unexpected(row.error());
  policy::UsbAuditLog log;
  log.events = select->integer(0);
  log.waiting = select->integer(1);
  if (!select->isNull(2)) log.last_event = fromUnix(select->integer(2));
  log.dropped = std::max<std::int64_t>(0, droppedAudit());
  return log;
}

std::int64_t LocalStore::dropped() { return counter(schema::kDroppedCounter); }

std::int64_t LocalStore::counter(const char* name) {
  auto select = db_->prepare("SELECT value FROM counters WHERE name = ?1");
  if (!select) return -1;
  select->bindText(1, name);
  const auto row = select->step();
  if (!row) return -1;
  return *row ? select->integer(0) : 0;
}

std::expected<void, Error> LocalStore::setState(std::string_view key, std::string_view value) {
  auto upsert = db_->prepare(
      "INSERT INTO state(key, value) VALUES(?1, ?2) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (upsert) upsert->bindText(1, key).bindText(2, value);
  return run(upsert);
}

std::optional<std::string> LocalStore::state(std::string_view key) {
  auto select = db_->prepare("SELECT value FROM state WHERE key = ?1");
  if (!select) return std::nullopt;
  select->bindText(1, key);
  const auto row = select->step();
  if (!row || !*row) return std::nullopt;
  return select->text(0);
}

}  // namespace mamori::agent
