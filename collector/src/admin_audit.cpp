#include <ostream>

#include "admin_commands.hpp"
#include "mamori/protocol/audit_event.hpp"

namespace mamori::collector::admin {
void printAuditEvents(const Context& c, const std::vector<AuditRecord>& events, bool with_device) {
  c.out << (ja(c) ? "時刻  " : "time  ") << (with_device ? (ja(c) ? "端末  " : "device  ") : "")
        << (ja(c) ? "利用者  種別  判定  規則  対象\n" : "user  kind  action  rule  subject\n");
  for (const auto& e : events) {
    c.out << policy::formatTimestamp(e.at) << "  ";
    if (with_device) c.out << e.device_id << "  ";
    c.out << (e.user.empty() ? "-" : e.user) << "  " << e.category << "  "
          << protocol::auditActionText(e.action).in(c.lang) << "  " << e.rule << "  " << e.subject
          << '\n';
  }
  if (events.empty()) c.out << (ja(c) ? "  記録なし\n" : "  none\n");
}

int auditList(const Context& c, const std::string& device, int limit) {
  if (limit <= 0) return usage(c, "--limit must be positive");
  auto events = c.store.auditEvents(device, limit);
  if (!events) return fail(c, events.error());
  printAuditEvents(c, *events, device.empty());
  return 0;
}

}  // namespace mamori::collector::admin
