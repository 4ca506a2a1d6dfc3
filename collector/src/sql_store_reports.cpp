// Reports, each device's latest posture, and exceptions.

#include <algorithm>

#include "sql_store.hpp"
#include "sql_support.hpp"

namespace mamori::collector {

using sql::exec;
using sql::query;
using sql::Row;

namespace {

constexpr std::string_view kReportColumns =
    "report_id, device_id, generated_at, received_at, agent_version, agent_policy_version,"
    " agent_admission, policy_version, compliant, admission, verdict_json, facts_json";

constexpr std::string_view kExceptionColumns =
    "id, device_id, requirement, reason, approver, expires, created_at, revoked_at, revoked_by";

ReportRecord reportFrom(const Row& row) {
  ReportRecord r;
  r.report_id = row.text(0);
  r.device_id = row.text(1);
  r.generated_at = row.time(2);
  r.received_at = row.time(3);
  r.agent_version = row.text(4);
  r.agent_policy_version = row.number(5);
  r.agent_admission = row.text(6);
  r.posture.report_id = r.report_id;
  r.posture.received_at = r.received_at;
  r.posture.generated_at = std::min(r.generated_at, r.received_at);
  r.posture.policy_version = row.number(7);
  r.posture.compliant = row.number(8) != 0;
  r.posture.admission = row.admission(9);
  r.posture.verdict_json = row.text(10);
  r.facts_json = row.text(11);
  return r;
}

ExceptionRecord exceptionFrom(const Row& row) {
  ExceptionRecord e;
  e.exception.id = row.text(0);
  e.device_id = row.text(1);
  e.exception.requirement = row.text(2);
  e.exception.reason = row.text(3);
  e.exception.approver = row.text(4);
  e.exception.expires = row.time(5);
  e.created_at = row.time(6);
  e.revoked_at = row.optionalTime(7);
  e.revoked_by = row.text(8);
  return e;
}

// The stored report with this id, if any (its posture without failing_since, grace_ends and
// admission_reason: only the latest posture keeps those).
std::optional<ReportRecord> reportById(Connection& c, const Dialect& dialect,
                                       std::string_view report_id) {
  const auto rows = query(
      c, dialect, "SELECT " + std::string(kReportColumns) + " FROM reports WHERE report_id = ?",
      report_id);
  if (rows.rowCount() == 0) return std::nullopt;
  return reportFrom(Row(rows, 0));
}

}  // namespace

std::optional<Posture> SqlStore::postureOf(Connection& c, std::string_view device_id) {
  const auto rows =
      query(c, dialect_,
            "SELECT " + std::string(sql::kPostureColumns) + " FROM postures p WHERE device_id = ?",
            device_id);
  if (rows.rowCount() == 0) return std::nullopt;
  return sql::postureFrom(Row(rows, 0));
}

std::vector<ExceptionRecord> SqlStore::exceptionsOf(Connection& c, std::string_view device_id) {
  const std::string select = "SELECT " + std::string(kExceptionColumns) + " FROM exceptions ";
  const auto rows =
      device_id.empty()
          ? query(c, dialect_, select + "ORDER BY created_at, id")
          : query(c, dialect_, select + "WHERE device_id = ? ORDER BY created_at, id", device_id);
  std::vector<ExceptionRecord> list;
  for (std::size_t i = 0; i < rows.rowCount(); ++i) list.push_back(exceptionFrom(Row(rows, i)));
  return list;
}

std::expected<std::optional<DeviceStanding>, Error> SqlStore::deviceStanding(std::string_view id) {
  return read("cannot read the device",
              [&](Connection& c) -> std::expected<std::optional<DeviceStanding>, Error> {
                const auto rows =
                    query(c, dialect_,
                          "SELECT " + std::string(sql::kDeviceColumns) + ", " +
                              std::string(sql::kPostureColumns) +
                              ", (SELECT COUNT(*) FROM exceptions x WHERE x.device_id = d.id"
                              " AND x.revoked_at IS NULL) FROM devices d"
                              " LEFT JOIN postures p ON p.device_id = d.id WHERE d.id = ?",
                          id);
                if (rows.rowCount() == 0) return std::nullopt;
                const Row row(rows, 0);
                DeviceStanding standing;
                standing.device = sql::deviceFrom(row);
                const Row posture(rows, 0, sql::kDeviceColumnCount);
                if (!posture.text(0).empty()) standing.posture = sql::postureFrom(posture);
                if (row.number(sql::kDeviceColumnCount + sql::kPostureColumnCount) > 0) {
                  for (auto& e : exceptionsOf(c, id)) {
                    if (!e.revoked_at) standing.exceptions.push_back(std::move(e));
                  }
                }
                return standing;
              });
}

std::expected<StoreOutcome, Error> SqlStore::storeReport(const ReportRecord& report) {
  return report_commit_.submit(
      report, [this](std::span<ReportCommit::Slot* const> batch) { commitReports(batch); });
}

// Results are handed out only after the commit: a report is acknowledged once it is stored.
// When the batch fails as a whole (one report's statement threw), each report is stored again
// in a transaction of its own, so one bad report cannot fail the others.
void SqlStore::commitReports(std::span<ReportCommit::Slot* const> batch) {
  std::vector<std::expected<StoreOutcome, Error>> outcomes;
  auto committed =
      write("cannot store the reports", [&](Connection& c) -> std::expected<void, Error> {
        outcomes.clear();
        for (const auto* slot : batch) {
          outcomes.push_back(storeInTransaction(c, slot->request));
        }
        return {};
      });
  if (committed) {
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(outcomes[i]);
    return;
  }
  if (batch.size() == 1) {
    batch.front()->result = std::unexpected(committed.error());
    return;
  }
  for (auto* slot : batch) {
    slot->result = write("cannot store the report",
                         [&](Connection& c) { return storeInTransaction(c, slot->request); });
  }
}

std::expected<StoreOutcome, Error> SqlStore::storeInTransaction(Connection& c,
                                                                const ReportRecord& report) {
  if (!insertReport(c, report)) return replayed(c, report);
  insertAuditEvents(c, report);
  savePosture(c, report);
  StoreOutcome outcome{false, report.posture};
  outcome.posture.report_id = report.report_id;
  outcome.posture.received_at = report.received_at;
  return outcome;
}

bool SqlStore::insertReport(Connection& c, const ReportRecord& r) {
  const auto& p = r.posture;
  return exec(
             c, dialect_,
             "INSERT INTO reports (" + std::string(kReportColumns) +
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (report_id) DO NOTHING",
             r.report_id, r.device_id, r.generated_at, r.received_at, r.agent_version,
             r.agent_policy_version, r.agent_admission, p.policy_version, p.compliant,
             policy::admissionId(p.admission), p.verdict_json, r.facts_json) > 0;
}

std::expected<StoreOutcome, Error> SqlStore::replayed(Connection& c, const ReportRecord& r) {
  auto earlier = reportById(c, dialect_, r.report_id);
  if (!earlier) throw std::runtime_error("report " + r.report_id + " vanished");
  if (earlier->device_id != r.device_id) {
    return std::unexpected(
        ruleError("report id " + r.report_id + " was already sent by another device"));
  }
  auto latest = postureOf(c, r.device_id);
  if (latest && latest->report_id == r.report_id) return StoreOutcome{true, std::move(*latest)};
  return StoreOutcome{true, std::move(earlier->posture)};
}

// Ordered by when the facts were collected: a report that waited in an outbox and arrives after a
// newer one stays in the history only.
void SqlStore::savePosture(Connection& c, const ReportRecord& r) {
  const auto& p = r.posture;
  exec(c, dialect_,
       "INSERT INTO postures (device_id, report_id, received_at, policy_version, compliant,"
       " admission, verdict_json, failing_since_json, generated_at, grace_ends, reason_ja,"
       " reason_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
       " ON CONFLICT (device_id) DO UPDATE SET report_id = excluded.report_id,"
       " received_at = excluded.received_at, policy_version = excluded.policy_version,"
       " compliant = excluded.compliant, admission = excluded.admission,"
       " verdict_json = excluded.verdict_json,"
       " failing_since_json = excluded.failing_since_json,"
       " generated_at = excluded.generated_at, grace_ends = excluded.grace_ends,"
       " reason_ja = excluded.reason_ja, reason_en = excluded.reason_en"
       " WHERE postures.generated_at <= excluded.generated_at",
       r.device_id, r.report_id, r.received_at, p.policy_version, p.compliant,
       policy::admissionId(p.admission), p.verdict_json, sql::failingSinceJson(p.failing_since),
       p.generated_at, p.grace_ends, p.admission_reason.ja, p.admission_reason.en);
}

std::expected<std::optional<Posture>, Error> SqlStore::latestPosture(std::string_view device_id) {
  return read("cannot read the posture",
              [&](Connection& c) -> std::expected<std::optional<Posture>, Error> {
                return postureOf(c, device_id);
              });
}

std::expected<std::vector<ReportRecord>, Error> SqlStore::reportsOf(std::string_view device_id,
                                                                    int limit) {
  if (limit <= 0) return std::vector<ReportRecord>{};
  return read("cannot read the reports",
              [&](Connection& c) -> std::expected<std::vector<ReportRecord>, Error> {
                const auto rows = query(c, dialect_,
                                        "SELECT " + std::string(kReportColumns) +
                                            " FROM reports WHERE device_id = ?"
                                            " ORDER BY received_at DESC, report_id DESC LIMIT ?",
                                        device_id, limit);
                std::vector<ReportRecord> reports;
                for (std::size_t i = 0; i < rows.rowCount(); ++i) {
                  reports.push_back(reportFrom(Row(rows, i)));
                }
                return reports;
              });
}

std::expected<std::int64_t, Error> SqlStore::countReports(std::string_view device_id) {
  return read("cannot count the reports", [&](Connection& c) -> std::expected<std::int64_t, Error> {
    const auto rows =
        device_id.empty()
            ? query(c, dialect_, "SELECT COUNT(*) FROM reports")
            : query(c, dialect_, "SELECT COUNT(*) FROM reports WHERE device_id = ?", device_id);
    return Row(rows, 0).number(0);
  });
}

std::expected<void, Error> SqlStore::addException(const ExceptionRecord& record) {
  const auto& e = record.exception;
  if (e.id.empty() || e.requirement.empty()) {
    return std::unexpected(ruleError("an exception needs an id and a requirement"));
  }
  return write("cannot store the exception", [&](Connection& c) -> std::expected<void, Error> {
    if (query(c, dialect_, "SELECT id FROM devices WHERE id = ?", record.device_id).rowCount() ==
        0) {
      return std::unexpected(ruleError("no device " + record.device_id));
    }
    const auto added = exec(c, dialect_,
                            "INSERT INTO exceptions (" + std::string(kExceptionColumns) +
                                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                            e.id, record.device_id, e.requirement, e.reason, e.approver, e.expires,
                            record.created_at, record.revoked_at, record.revoked_by);
    if (added == 0) return std::unexpected(ruleError("exception " + e.id + " exists"));
    return {};
  });
}

std::expected<std::vector<ExceptionRecord>, Error> SqlStore::listExceptions(
    std::string_view device_id) {
  return read("cannot list the exceptions",
              [&](Connection& c) -> std::expected<std::vector<ExceptionRecord>, Error> {
                return exceptionsOf(c, device_id);
              });
}

std::expected<void, Error> SqlStore::revokeException(std::string_view id, std::string_view by,
                                                     policy::TimePoint now) {
  return write("cannot revoke the exception", [&](Connection& c) -> std::expected<void, Error> {
    exec(c, dialect_,
         "UPDATE exceptions SET revoked_at = ?, revoked_by = ?"
         " WHERE id = ? AND revoked_at IS NULL",
         now, by, id);
    if (query(c, dialect_, "SELECT id FROM exceptions WHERE id = ?", id).rowCount() == 0) {
      return std::unexpected(ruleError("no exception " + std::string(id)));
    }
    return {};
  });
}

}  // namespace mamori::collector
