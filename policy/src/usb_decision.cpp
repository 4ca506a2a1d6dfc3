#include "mamori/policy/usb_decision.hpp"

#include <algorithm>

namespace mamori::policy {
namespace {

// The decision when some interface is storage-like: which rule blocks or admits it.
UsbRule storageRule(const UsbRules& rules, bool registered) {
  if (rules.mode == UsbMode::kBlockAll) return UsbRule::kBlockAll;
  if (registered) return UsbRule::kRegisteredMedium;
  if (rules.mode == UsbMode::kAudit) return UsbRule::kAuditMode;
  return UsbRule::kBlockedKind;
}

// Without interfaces there is nothing to judge by kind: only the ledger (or audit mode) admits.
UsbRule unclassifiedRule(const UsbRules& rules, bool registered) {
  if (rules.mode == UsbMode::kAudit) return UsbRule::kAuditMode;
  if (rules.mode == UsbMode::kAllowlist && registered) return UsbRule::kRegisteredMedium;
  return UsbRule::kUnclassified;
}

bool admits(UsbRule rule) {
  return rule == UsbRule::kAllowedKind || rule == UsbRule::kRegisteredMedium ||
         rule == UsbRule::kAuditMode;
}

}  // namespace

std::string_view usbRuleId(UsbRule rule) {
  switch (rule) {
    case UsbRule::kAllowedKind: return "usb.allowed-kind";
    case UsbRule::kRegisteredMedium: return "usb.registered-medium";
    case UsbRule::kAuditMode: return "usb.audit-mode";
    case UsbRule::kBlockedKind: return "usb.blocked-kind";
    case UsbRule::kBlockAll: return "usb.block-all";
    case UsbRule::kUnclassified: return "usb.unclassified";
  }
  return "?";
}

std::optional<UsbRule> parseUsbRule(std::string_view id) {
  for (const auto rule : kAllUsbRules) {
    if (usbRuleId(rule) == id) return rule;
  }
  return std::nullopt;
}

bool alwaysAllowed(UsbKind kind) {
  return kind == UsbKind::kHid || kind == UsbKind::kHub || kind == UsbKind::kSmartCard;
}

bool storageLike(const UsbRules& rules, UsbKind kind) {
  return !alwaysAllowed(kind) &&
         std::ranges::find(rules.blocked_kinds, kind) != rules.blocked_kinds.end();
}

std::optional<RegisteredMedium> findRegisteredMedium(const UsbRules& rules,
                                                     const UsbDevice& device) {
  if (device.serial.empty()) return std::nullopt;
  const auto it = std::ranges::find_if(rules.allowlist, [&](const RegisteredMedium& m) {
    return m.vendor_id == device.vendor_id && m.product_id == device.product_id &&
           m.serial == device.serial;
  });
  if (it == rules.allowlist.end()) return std::nullopt;
  return *it;
}

bool UsbDecision::interfaceAuthorized(std::uint8_t number) const {
  return std::ranges::any_of(interfaces, [&](const UsbInterfaceDecision& i) {
    return i.number == number && i.authorized;
  });
}

bool UsbDecision::storageLike() const {
  return std::ranges::any_of(interfaces, &UsbInterfaceDecision::storage_like);
}

UsbDecision decideUsb(const UsbRules& rules, const UsbDevice& device) {
  UsbDecision d;
  d.medium = findRegisteredMedium(rules, device);
  for (const auto& i : device.interfaces) {
    const auto kind = i.kind();
    d.interfaces.push_back({i.number, kind, storageLike(rules, kind), false});
  }
  const bool registered = d.medium.has_value();
  if (d.interfaces.empty()) {
    d.rule = unclassifiedRule(rules, registered);
  } else if (!d.storageLike()) {
    d.rule = UsbRule::kAllowedKind;
  } else {
    d.rule = storageRule(rules, registered);
  }
  // A blocking rule blocks the storage-like interfaces only: the rest of a composite device
  // (the keyboard of a stick-with-keyboard) keeps working.
  const bool admitted = admits(d.rule);
  for (auto& i : d.interfaces) i.authorized = admitted || !i.storage_like;
  d.authorize_device =
      admitted || std::ranges::any_of(d.interfaces, [](const auto& i) { return i.authorized; });
  d.read_only = d.authorize_device && registered && d.medium->read_only;
  return d;
}

}  // namespace mamori::policy
