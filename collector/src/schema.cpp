#include "schema.hpp"

#include <Poco/Exception.h>
#include <Poco/Nullable.h>

#include <array>
#include <exception>
#include <string>

#include "sql_support.hpp"

namespace mamori::collector::schema {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

// Version 1: the whole initial schema. Times are Unix seconds; booleans 0/1; `macs` and
// `failing_since_json` JSON text. device_macs indexes the pinned MACs for MAB lookups.
constexpr std::array<std::string_view, 9> kInitial = {
    "CREATE TABLE tokens ("
    " id TEXT PRIMARY KEY, secret_sha256 TEXT NOT NULL, department TEXT NOT NULL,"
    " segment TEXT NOT NULL, created_at BIGINT NOT NULL, expires BIGINT NOT NULL,"
    " max_uses BIGINT NOT NULL, uses BIGINT NOT NULL DEFAULT 0, created_by TEXT NOT NULL,"
    " note TEXT NOT NULL, revoked_at BIGINT)",

    "CREATE TABLE devices ("
    " id TEXT PRIMARY KEY, machine_id TEXT NOT NULL, smbios_uuid TEXT NOT NULL,"
    " hostname TEXT NOT NULL, macs TEXT NOT NULL, department TEXT NOT NULL,"
    " segment TEXT NOT NULL, token_id TEXT NOT NULL REFERENCES tokens (id),"
    " enrolled_at BIGINT NOT NULL, certificate_serial TEXT NOT NULL,"
    " certificate_fingerprint TEXT NOT NULL, certificate_expires BIGINT NOT NULL,"
    " revoked_at BIGINT)",

    "CREATE INDEX devices_machine_id ON devices (machine_id)",

    "CREATE TABLE device_macs ("
    " mac TEXT NOT NULL, device_id TEXT NOT NULL REFERENCES devices (id),"
    " PRIMARY KEY (mac, device_id))",

    "CREATE TABLE reports ("
    " report_id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices (id),"
    " generated_at BIGINT NOT NULL, received_at BIGINT NOT NULL, agent_version TEXT NOT NULL,"
    " agent_policy_version BIGINT NOT NULL, agent_admission TEXT NOT NULL,"
    " policy_version BIGINT NOT NULL, compliant BIGINT NOT NULL, admission TEXT NOT NULL,"
    " verdict_json TEXT NOT NULL, facts_json TEXT NOT NULL)",

    "CREATE INDEX reports_device_received ON reports (device_id, received_at)",

    "CREATE TABLE postures ("
    " device_id TEXT PRIMARY KEY REFERENCES devices (id), report_id TEXT NOT NULL,"
    " received_at BIGINT NOT NULL, policy_version BIGINT NOT NULL, compliant BIGINT NOT NULL,"
    " admission TEXT NOT NULL, verdict_json TEXT NOT NULL, failing_since_json TEXT NOT NULL,"
    " generated_at BIGINT NOT NULL, grace_ends BIGINT, reason_ja TEXT NOT NULL,"
    " reason_en TEXT NOT NULL)",

    "CREATE TABLE exceptions ("
    " id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices (id),"
    " requirement TEXT NOT NULL, reason TEXT NOT NULL, approver TEXT NOT NULL,"
    " expires BIGINT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT,"
    " revoked_by TEXT NOT NULL DEFAULT '')",

    "CREATE INDEX exceptions_device ON exceptions (device_id)",
};

// Version 2: what agents decided on the PCs (USB decisions, ...), one row per event id. The
// summary columns are for listing and searching; `event_json` keeps the event whole.
constexpr std::array<std::string_view, 3> kAuditEvents = {
    "CREATE TABLE audit_events ("
    " event_id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices (id),"
    " report_id TEXT NOT NULL, at BIGINT NOT NULL, received_at BIGINT NOT NULL,"
    " category TEXT NOT NULL, action TEXT NOT NULL, rule TEXT NOT NULL, subject TEXT NOT NULL,"
    " user_name TEXT NOT NULL, policy_version BIGINT NOT NULL, event_json TEXT NOT NULL)",

    "CREATE INDEX audit_events_device_at ON audit_events (device_id, at)",

    "CREATE INDEX audit_events_at ON audit_events (at)",
};

// Version 3: CSIRT isolation (第107条3). The isolation in force sits on the device row, read
// with it on every report and RADIUS request; isolation_changes keeps who isolated and
// released it, when and why.
constexpr std::array<std::string_view, 5> kIsolation = {
    "ALTER TABLE devices ADD COLUMN isolated_at BIGINT",
    "ALTER TABLE devices ADD COLUMN isolated_by TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE devices ADD COLUMN isolation_reason TEXT NOT NULL DEFAULT ''",

    "CREATE TABLE isolation_changes ("
    " device_id TEXT NOT NULL REFERENCES devices (id), at BIGINT NOT NULL,"
    " isolated BIGINT NOT NULL, by_user TEXT NOT NULL, reason TEXT NOT NULL)",

    "CREATE INDEX isolation_changes_device ON isolation_changes (device_id, at)",
};

// Version 4: who issued which unlock code for removing an agent (issue 8), not the codes.
constexpr std::array<std::string_view, 2> kUnlockCodes = {
    "CREATE TABLE unlock_codes ("
    " device_id TEXT NOT NULL REFERENCES devices (id), issued_at BIGINT NOT NULL,"
    " expires BIGINT NOT NULL, issued_by TEXT NOT NULL)",

    "CREATE INDEX unlock_codes_device ON unlock_codes (device_id, issued_at)",
};

constexpr std::array kMigrations = {
    Migration{1, "initial schema", kInitial},
    Migration{2, "audit events", kAuditEvents},
    Migration{3, "isolation", kIsolation},
    Migration{4, "unlock codes", kUnlockCodes},
};

bool applied(Poco::Data::Session& session, const Dialect& dialect, int version) {
  const auto rows = sql::query(session, dialect,
                               "SELECT version FROM schema_migrations WHERE version = ?", version);
  return rows.rowCount() > 0;
}

// The migration's statements run once, through Poco::Data on the connection's session; only the
// transaction statements are the connection's kept ones.
void apply(Connection& connection, const Dialect& dialect, const Migration& migration,
           policy::TimePoint now) {
  auto& session = connection.session;
  dialect.begin(connection);
  try {
    if (!applied(session, dialect, migration.version)) {
      for (const auto statement : migration.statements) sql::exec(session, dialect, statement);
      sql::exec(session, dialect,
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                migration.version, now);
    }
    dialect.commit(connection);
  } catch (...) {
    try {
      dialect.rollback(connection);
    } catch (...) {  // the original error is the one worth reporting
    }
    throw;
  }
}

std::string reason(const std::exception& e) {
  const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
  return poco ? poco->displayText() : e.what();
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latestVersion() { return kMigrations.back().version; }

int currentVersion(Poco::Data::Session& session, const Dialect& dialect) {
  Poco::Nullable<Poco::Int64> version;
  session << dialect.placeholders("SELECT MAX(version) FROM schema_migrations"), into(version), now;
  return version.isNull() ? 0 : static_cast<int>(version.value());
}

std::expected<int, Error> migrate(Connection& connection, const Dialect& dialect,
                                  std::span<const Migration> list, policy::TimePoint now) {
  auto& session = connection.session;
  const int newest = list.empty() ? 0 : list.back().version;
  int current = 0;
  try {
    sql::exec(session, dialect,
              "CREATE TABLE IF NOT EXISTS schema_migrations ("
              " version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)");
    current = currentVersion(session, dialect);
  } catch (const std::exception& e) {
    return std::unexpected(
        makeError(ErrorCode::kIo, "cannot read the schema version: " + reason(e)));
  }
  if (current > newest) {
    return std::unexpected(makeError(ErrorCode::kValidation,
                                     "the database has schema version " + std::to_string(current) +
                                         ", newer than version " + std::to_string(newest) +
                                         " that this collector knows: upgrade the collector"));
  }
  for (const auto& migration : list) {
    if (migration.version <= current) continue;
    try {
      apply(connection, dialect, migration, now);
    } catch (const std::exception& e) {
      return std::unexpected(makeError(
          ErrorCode::kIo, "schema migration " + std::to_string(migration.version) + " (" +
                              std::string(migration.description) + ") failed: " + reason(e)));
    }
  }
  return newest;
}

}  // namespace mamori::collector::schema
