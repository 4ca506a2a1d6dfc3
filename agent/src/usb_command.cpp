#include "mamori/agent/usb_command.hpp"

#include <ostream>

#include "agent_state.hpp"
#include "local_store.hpp"
#include "mamori/platform/usb_inventory.hpp"
#include "mamori/policy/usb_decision.hpp"
#include "mamori/protocol/audit_event.hpp"
#include "policy_file.hpp"

namespace mamori::agent {
namespace {

constexpr int kRecentEvents = 10;

// `storage(x),hid`: the kinds of its interfaces, (x) where blocked.
std::string interfaceKinds(const policy::UsbDecision& decision) {
  std::string kinds;
  for (const auto& i : decision.interfaces) {
    kinds += (kinds.empty() ? "" : ",") + std::string(policy::usbKindId(i.kind)) +
             (i.authorized ? "" : "(x)");
  }
  return kinds.empty() ? "-" : kinds;
}

// The segment the service enforces, with its enrollment when the state directory has one.
policy::Segment segmentOf(const UsbListOptions& o, const policy::Policy& p, LocalStore* store) {
  std::optional<Enrollment> enrollment;
  if (const auto saved = store ? store->state("enrollment") : std::nullopt) {
    if (auto parsed = Enrollment::fromJson(*saved)) enrollment = std::move(*parsed);
  }
  return enforcedSegment(enrollment ? &*enrollment : nullptr, o.segment, p.default_segment);
}

void printRecentDecisions(std::ostream& out, LocalStore& store, bool ja) {
  // The log also holds the firewall's changes: read further back to find the USB decisions.
  const auto recent = store.recentAudit(kRecentEvents * 5);
  if (!recent) return;
  out << '\n' << (ja ? "最近の判定 (新しい順):\n" : "recent decisions (newest first):\n");
  int shown = 0;
  for (const auto& entry : *recent) {
    const auto event = protocol::auditEventFromJson(entry.body);
    if (!event || protocol::auditCategory(*event) != "usb") continue;
    if (++shown > kRecentEvents) break;
    out << "  " << policy::formatTimestamp(event->at) << "  " << protocol::auditAction(*event)
        << "  " << protocol::auditSubject(*event) << "  " << protocol::auditRule(*event)
        << (event->user.empty() ? "" : "  " + event->user)
        << (entry.report_id.empty() ? (ja ? "  (未報告)" : "  (not yet reported)") : "") << '\n';
  }
  if (shown == 0) out << (ja ? "  なし\n" : "  none\n");
}

}  // namespace

int runUsbList(const UsbListOptions& o, std::ostream& out, std::ostream& err) {
  const bool ja = o.lang == policy::Lang::kJa;
  auto loaded = loadPolicy(o.policy_file);
  if (!loaded) {
    err << "mamori-agent usb list: " << loaded.error().describe() << '\n';
    return 2;
  }
  const auto inventory = platform::readUsbInventory(o.root);
  if (!inventory.known()) {
    err << "mamori-agent usb list: " << inventory.reason() << '\n';
    return 2;
  }
  // The state directory is optional here: without it there is no log to show.
  std::optional<LocalStore> store;
  std::error_code ec;
  if (std::filesystem::exists(StatePaths{o.state_dir}.database(), ec)) {
    if (auto opened = LocalStore::open(StatePaths{o.state_dir}.database())) {
      store = std::move(*opened);
    }
  }
  const auto segment = segmentOf(o, *loaded, store ? &*store : nullptr);
  const auto& rules = loaded->profile(segment).usb;

  out << (ja ? "区分: " : "segment: ") << policy::segmentId(segment)
      << (ja ? "  ポリシー版数: " : "  policy version: ") << loaded->version << '\n';
  std::size_t locked = 0;
  for (const auto& c : inventory.value().controllers) locked += c.authorized_default == 0;
  out << (ja ? "USB コントローラ: " : "USB controllers: ") << inventory.value().controllers.size()
      << (ja ? "、うち新規機器を保留するもの " : ", holding new devices back: ") << locked << '\n';
  out << (ja ? "ポート  ID  製品  シリアル  現在  判定  規則  用途\n"
             : "port  id  product  serial  now  decision  rule  kinds\n");
  for (const auto& d : inventory.value().devices) {
    const auto decision = policy::decideUsb(rules, d);
    out << d.port << "  " << d.vidPid() << "  " << (d.product.empty() ? "-" : d.product) << "  "
        << (d.serial.empty() ? "-" : d.serial) << "  "
        << (d.authorized ? (ja ? "有効" : "authorised") : (ja ? "無効" : "unauthorised")) << "  "
        << protocol::auditActionText(
               protocol::usbOutcomeId(protocol::usbActionOf(decision), decision.read_only))
               .in(o.lang)
        << "  " << policy::usbRuleId(decision.rule)
        << (decision.medium ? " [" + decision.medium->label + "]" : "") << "  "
        << interfaceKinds(decision) << '\n';
  }
  if (inventory.value().devices.empty()) out << (ja ? "  機器なし\n" : "  no devices\n");
  if (store) printRecentDecisions(out, *store, ja);
  return 0;
}

}  // namespace mamori::agent
