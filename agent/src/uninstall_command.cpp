// `mamori-agent uninstall-check`: uninstall protection (issue 8). A staff member with root, or
// malware that got it, must not be able to drop the city's controls with `apt-get remove`: on
// an enrolled PC the policy's protection lets the package go only with an administrator's
// unlock code, signed by this PC's collector for this PC. Each attempt goes to the audit log.

#include <Poco/Logger.h>

#include <boost/json/serialize.hpp>
#include <ostream>

#include "agent_state.hpp"
#include "local_store.hpp"
#include "mamori/agent/service_commands.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "mamori/protocol/messages.hpp"
#include "mamori/protocol/unlock_code.hpp"
#include "policy_file.hpp"

namespace mamori::agent {
namespace {

constexpr int kAllowed = 0;
constexpr int kRefused = 1;
constexpr int kError = 2;

void record(LocalStore& store, bool allowed, std::string rule, std::string reason,
            const policy::Policy& policy, const std::string& by, policy::TimePoint now) {
  protocol::AuditEvent event;
  event.event_id = protocol::randomUuid();
  event.at = now;
  event.user = by;
  event.policy_version = policy.version;
  event.what = protocol::UninstallEvent{allowed, std::move(rule), std::move(reason)};
  (void)store.appendAudit(event);
}

}  // namespace

int runUninstallCheck(const UninstallCheckOptions& o, std::ostream& out, std::ostream& err) {
  const StatePaths paths{o.state_dir};
  std::error_code ec;
  if (!std::filesystem::exists(paths.database(), ec)) {
    out << "mamori-agent: not enrolled; nothing protects the agent\n";
    return kAllowed;
  }
  auto store = LocalStore::open(paths.database());
  if (!store) {
    err << "mamori-agent uninstall-check: " << store.error().describe() << '\n';
    return kError;
  }
  std::optional<Enrollment> enrollment;
  if (const auto saved = store->state("enrollment")) {
    if (auto parsed = Enrollment::fromJson(*saved)) enrollment = std::move(*parsed);
  }
  if (!enrollment) {
    out << "mamori-agent: not enrolled; nothing protects the agent\n";
    return kAllowed;
  }
  // A policy that cannot be read protects: the built-in default does.
  const auto policy = loadPolicy(o.policy_file).value_or(policy::builtInPolicy());
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (!policy.uninstall_protection) {
    record(*store, true, "agent.uninstall-unprotected",
           "removed; the policy does not protect the agent", policy, o.by, now);
    return kAllowed;
  }
  std::string why = "no unlock code";
  if (!o.unlock_code.empty()) {
    const auto ca = protocol::readSmallFile(paths.collectorCa(), 64 << 10);
    const auto granted =
        ca ? protocol::verifyUnlockCode(o.unlock_code, *ca, enrollment->device_id, now)
           : std::unexpected(makeError(ErrorCode::kIo, "no collector CA to check the code with (" +
                                                           ca.error().describe() +
                                                           "; enroll again)"));
    if (granted) {
      record(*store, true, "agent.uninstall-unlocked",
             "removed with an unlock code valid until " + policy::formatTimestamp(granted->expires),
             policy, o.by, now);
      out << "mamori-agent: unlock code accepted; the agent is being removed\n";
      return kAllowed;
    }
    why = granted.error().message;
  }
  record(*store, false, "agent.uninstall-refused", "removal refused: " + why, policy, o.by, now);
  err << "mamori-agent: 情報セキュリティポリシーにより、この端末から mamori-agent を削除できません "
         "("
      << why << ")。削除が必要な場合は、管理者に端末 " << enrollment->device_id
      << " の解除コードを発行してもらい (mamori-collector device unlock-code), "
         "MAMORI_UNLOCK_CODE=<コード> apt-get remove mamori-agent "
         "で削除してください。この操作は記録され、報告されます。\n"
      << "mamori-agent: the information security policy does not allow removing mamori-agent from "
         "this PC ("
      << why << "). If it must go, ask an administrator for an unlock code for device "
      << enrollment->device_id
      << " (mamori-collector device unlock-code) and run MAMORI_UNLOCK_CODE=<code> apt-get remove "
         "mamori-agent. This attempt has been recorded and will be reported.\n";
  return kRefused;
}

}  // namespace mamori::agent
