#include "checks.hpp"
#include "mamori/policy/usb_decision.hpp"

namespace mamori::policy::checks {
namespace {

bool enforcing(const UsbController& c) {
  return c.authorized_default == 0 || c.interface_authorized_default == false;
}

// Storage reaches the system only when the device and a storage-like interface are both
// authorised: that is what "in use" means here. Interfaces are judged as the enforcer judges
// them (decideUsb), so a report never calls usable what the enforcer would block, or the reverse.
bool storageInUse(const UsbDevice& d, const UsbDecision& decision) {
  if (!d.authorized) return false;
  for (std::size_t i = 0; i < d.interfaces.size(); ++i) {
    if (d.interfaces[i].authorized && decision.interfaces[i].storage_like) return true;
  }
  return false;
}

std::string describe(const UsbDevice& d) {
  std::string s = d.vidPid();
  const std::string name = d.manufacturer.empty() ? d.product : d.manufacturer + " " + d.product;
  if (!name.empty() && name != " ") s += " " + name;
  s += d.serial.empty() ? " (no serial)" : " (serial " + d.serial + ")";
  return s + " at " + d.port;
}

const Text kUsbUnknownFix{"情報システム管理者に連絡してください。",
                          "Contact the information system administrator."};

}  // namespace

// USB-1 (第24条(4)): storage must be blocked by default, i.e. the kernel must not authorise a
// new device before mamori decided. Whatever is plugged in, this is what stops take-out.
Finding usbStorageBlocked(const Context& c) {
  constexpr std::string_view kId = "USB-1";
  if (!c.facts.usb.known()) return unknown(kId, reasonText(c.facts.usb.reason()), kUsbUnknownFix);
  const auto& inventory = c.facts.usb.value();
  if (c.profile.usb.mode == UsbMode::kAudit) {
    return pass(kId, {"ポリシーは監査モード（記録のみ、遮断なし）です",
                      "policy is in audit mode: media are recorded, not blocked"});
  }
  if (inventory.controllers.empty()) {
    return pass(kId, {"USBコントローラがありません", "no USB controller present"});
  }
  std::string open;
  for (const auto& controller : inventory.controllers) {
    if (!enforcing(controller)) open += (open.empty() ? "" : ", ") + controller.name;
  }
  if (open.empty()) {
    const auto n = std::to_string(inventory.controllers.size());
    return pass(
        kId, {"全" + n + "個のUSBコントローラで新しい機器は承認待ち（遮断が有効）",
              "blocking active: new devices wait for a decision on all " + n + " USB controllers"});
  }
  // On Windows every root hub shares one setting: the Device Installation Restrictions.
  return fail(
      kId,
      c.windows()
          ? Text{"USB記憶媒体が遮断されていません: デバイスのインストール制限が USB\\Class_08 "
                 "を拒否していません",
                 "USB storage is not blocked: the Device Installation Restrictions do not "
                 "deny USB\\Class_08, so Windows installs any USB stick"}
          : Text{"USB記憶媒体が遮断されていません: " + open + " は新しい機器を自動で許可します",
                 "USB storage is not blocked: " + open +
                     " authorise new devices automatically (authorized_default=1)"},
      {"mamori エージェントのサービスを起動してください。解消しない場合は情報システム管理者に"
       "連絡してください。",
       "Start the mamori agent service, which locks the USB ports. If this persists, "
       "contact the information system administrator."});
}

// USB-2 (第106条(4), 第42条): every storage-like device in use must be registered media.
Finding usbOnlyRegisteredMedia(const Context& c) {
  constexpr std::string_view kId = "USB-2";
  if (!c.facts.usb.known()) return unknown(kId, reasonText(c.facts.usb.reason()), kUsbUnknownFix);
  const auto& rules = c.profile.usb;
  std::string unregistered, registered, blocked;
  for (const auto& device : c.facts.usb->devices) {
    const auto decision = decideUsb(rules, device);
    if (!decision.storageLike()) continue;
    auto& list = !storageInUse(device, decision)               ? blocked
                 : decision.rule == UsbRule::kRegisteredMedium ? registered
                                                               : unregistered;
    list += (list.empty() ? "" : "; ") + describe(device);
  }
  Text evidence;
  if (!registered.empty())
    append(evidence, {"登録媒体: " + registered, "registered: " + registered});
  if (!blocked.empty()) append(evidence, {"遮断中: " + blocked, "blocked: " + blocked});
  if (unregistered.empty()) {
    if (evidence.empty()) {
      evidence = {"使用中の記憶媒体はありません", "no storage device in use"};
    }
    return pass(kId, evidence);
  }
  append(evidence, {"未登録の媒体が使用可能な状態です: " + unregistered,
                    "unregistered storage is usable: " + unregistered});
  if (rules.mode == UsbMode::kAudit) {
    auto finding = pass(kId, evidence);
    finding.warning = true;  // allowed by the policy, but worth a look
    return finding;
  }
  return fail(
      kId, evidence,
      {"未登録のUSB媒体を取り外してください。業務で必要な場合は媒体の登録を情報システム管理者"
       "に申請してください。",
       "Remove the unregistered USB medium. If you need it for work, ask the information "
       "system administrator to register it."});
}

// USB-3 (第43条, 第123条): every decision about a medium is on record, kept on the PC and sent to
// the collector. What fails it: decisions lost before any report carried them.
Finding usbDecisionsRecorded(const Context& c) {
  constexpr std::string_view kId = "USB-3";
  const Text start_agent{"mamori エージェントのサービスを起動してください。",
                         "Start the mamori agent service, which records every USB decision."};
  if (!c.facts.usb_audit.known()) {
    return unknown(kId, reasonText(c.facts.usb_audit.reason()), start_agent);
  }
  const auto& log = c.facts.usb_audit.value();
  const auto events = std::to_string(log.events);
  const auto waiting = std::to_string(log.waiting);
  Text evidence{"監査記録 " + events + " 件（未送信 " + waiting + " 件）",
                "audit log: " + events + " decisions (" + waiting + " not yet reported)"};
  if (log.last_event) {
    append(evidence, {"最新 " + formatTimestamp(*log.last_event),
                      "latest " + formatTimestamp(*log.last_event)});
  }
  if (log.dropped == 0) return pass(kId, evidence);
  const auto dropped = std::to_string(log.dropped);
  append(evidence, {"記録上限のため報告前に失われた判定 " + dropped + " 件",
                    dropped + " decisions lost to the log's limit before they were reported"});
  return fail(kId, evidence,
              {"収集サーバへの報告が長期間止まっています。情報システム管理者に連絡してください。",
               "Reports have not reached the collector for a long time. Contact the information "
               "system administrator."});
}

// USB-4 (第77条): no hardware is added unnoticed. Every report carries the whole USB inventory,
// so the collector sees each change; here the evidence lists what is attached.
Finding usbInventoryReported(const Context& c) {
  constexpr std::string_view kId = "USB-4";
  if (!c.facts.usb.known()) return unknown(kId, reasonText(c.facts.usb.reason()), kUsbUnknownFix);
  const auto& devices = c.facts.usb->devices;
  std::string list;
  for (const auto& d : devices) list += (list.empty() ? "" : "; ") + describe(d);
  const auto n = std::to_string(devices.size());
  if (devices.empty()) {
    return pass(kId, {"接続中のUSB機器はありません（一覧を報告）",
                      "no USB device attached (inventory reported)"});
  }
  return pass(kId, {"接続中のUSB機器 " + n + " 台を報告: " + list,
                    n + " USB devices attached and reported: " + list});
}

}  // namespace mamori::policy::checks
