// Audit events: what agents decided on their PCs, filed with the report that carried them.

#include "sql_store.hpp"
#include "sql_support.hpp"

namespace mamori::collector {

using sql::exec;
using sql::query;
using sql::Row;

namespace {

constexpr std::string_view kAuditColumns =
    "event_id, device_id, report_id, at, received_at, category, action, rule, subject, user_name,"
    " policy_version, event_json";

AuditRecord auditFrom(const Row& row) {
  AuditRecord a;
  a.event_id = row.text(0);
  a.device_id = row.text(1);
  a.report_id = row.text(2);
  a.at = row.time(3);
  a.received_at = row.time(4);
  a.category = row.text(5);
  a.action = row.text(6);
  a.rule = row.text(7);
  a.subject = row.text(8);
  a.user = row.text(9);
  a.policy_version = row.number(10);
  a.event_json = row.text(11);
  return a;
}

}  // namespace

// The event's own device and report, whatever the record says: an agent files events only
// about itself. An event id stored before (an agent that sent it twice) is kept as it was.
void SqlStore::insertAuditEvents(Connection& c, const ReportRecord& r) {
  for (const auto& a : r.audit_events) {
    exec(c, dialect_,
         "INSERT INTO audit_events (" + std::string(kAuditColumns) +
             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
         a.event_id, r.device_id, r.report_id, a.at, r.received_at, a.category, a.action, a.rule,
         a.subject, a.user, a.policy_version, a.event_json);
  }
}

std::expected<std::vector<AuditRecord>, Error> SqlStore::auditEvents(std::string_view device_id,
                                                                     int limit) {
  if (limit <= 0) return std::vector<AuditRecord>{};
  return read("cannot read the audit events",
              [&](Connection& c) -> std::expected<std::vector<AuditRecord>, Error> {
                const std::string select =
                    "SELECT " + std::string(kAuditColumns) + " FROM audit_events ";
                const std::string order = " ORDER BY at DESC, event_id DESC LIMIT ?";
                const auto rows = device_id.empty()
                                      ? query(c, dialect_, select + order, limit)
                                      : query(c, dialect_, select + "WHERE device_id = ?" + order,
                                              device_id, limit);
                std::vector<AuditRecord> events;
                for (std::size_t i = 0; i < rows.rowCount(); ++i) {
                  events.push_back(auditFrom(Row(rows, i)));
                }
                return events;
              });
}

}  // namespace mamori::collector
