// 例外措置 (EXC-1, 第129–131条): an admin records an exception the CISO approved for one PC;
// the collector applies it when it judges that PC's reports, until it expires or is revoked.

#include <ostream>

#include "admin_commands.hpp"
#include "mamori/policy/requirement.hpp"

namespace mamori::collector::admin {

int exceptionAdd(const Context& c, const Options& o) {
  for (const char* name : {"id", "device", "requirement", "reason", "approver", "expires"}) {
    if (!o.contains(name)) {
      return usage(c,
                   std::string(ja(c) ? "必要なオプションがありません: --" : "missing --") + name);
    }
  }
  ExceptionRecord r;
  r.exception.id = o["id"].as<std::string>();
  r.exception.requirement = o["requirement"].as<std::string>();
  r.exception.reason = o["reason"].as<std::string>();
  r.exception.approver = o["approver"].as<std::string>();
  r.device_id = o["device"].as<std::string>();
  r.created_at = c.now;
  if (!policy::findRequirement(r.exception.requirement)) {
    return usage(c, "--requirement " + r.exception.requirement + ": not a requirement id");
  }
  const auto expires = policy::parseTimestamp(o["expires"].as<std::string>());
  if (!expires) return usage(c, "--expires: " + expires.error());
  if (*expires <= c.now) return usage(c, "--expires: already in the past");
  r.exception.expires = *expires;
  auto device = c.store.findDevice(r.device_id);
  if (!device) return fail(c, device.error());
  if (!*device)
    return usage(c, (ja(c) ? "端末が見つかりません: " : "no such device: ") + r.device_id);
  if (auto ok = c.store.addException(r); !ok) return fail(c, ok.error());
  c.out << (ja(c) ? "例外措置を登録しました: " : "exception recorded: ") << r.exception.id << " ("
        << r.exception.requirement << ", " << r.device_id << ", "
        << policy::formatTimestamp(r.exception.expires) << ")\n";
  return 0;
}

int exceptionList(const Context& c, const std::string& device) {
  auto records = c.store.listExceptions(device);
  if (!records) return fail(c, records.error());
  c.out << (ja(c) ? "ID  要件  端末  承認者  期限  状態  理由\n"
                  : "id  requirement  device  approver  expires  state  reason\n");
  for (const auto& r : *records) {
    const std::string state = r.revoked_at                   ? (ja(c) ? "取消" : "revoked")
                              : c.now >= r.exception.expires ? (ja(c) ? "期限切れ" : "expired")
                                                             : (ja(c) ? "有効" : "active");
    c.out << r.exception.id << "  " << r.exception.requirement << "  " << r.device_id << "  "
          << r.exception.approver << "  " << policy::formatTimestamp(r.exception.expires) << "  "
          << state << "  " << r.exception.reason << '\n';
  }
  return 0;
}

int exceptionRevoke(const Context& c, const std::string& id) {
  if (auto ok = c.store.revokeException(id, c.user, c.now); !ok) return fail(c, ok.error());
  c.out << (ja(c) ? "例外措置を取り消しました: " : "exception revoked: ") << id << '\n';
  return 0;
}

}  // namespace mamori::collector::admin
