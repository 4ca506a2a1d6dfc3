#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "mamori/policy/facts.hpp"
#include "mamori/policy/policy.hpp"

namespace mamori::policy {

// Removable media (USB-1, USB-2): what mamori does with one USB device. The enforcers apply
// this decision to the kernel and the USB checks judge what they see against it, so the
// report and the ports never disagree. Like USBGuard's rule matching, it is a pure function of
// the device's identity and interfaces; unlike USBGuard, the rule set is closed and fixed by
// the policy model (modes, storage-like kinds, the ledger of registered media).

/// Why a device was judged as it was. Exactly one per decision; the ids (`usbRuleId`) are
/// stable: audit records and reports carry them.
enum class UsbRule {
  /// `usb.allowed-kind`: no interface of a storage-like kind; everything is authorised.
  kAllowedKind,
  /// `usb.registered-medium`: storage-like, and on the ledger of registered media (VID, PID and
  /// serial all equal); everything is authorised, read-only if its entry says so.
  kRegisteredMedium,
  /// `usb.audit-mode`: storage-like (or unclassified) and unregistered; authorised only because
  /// the policy records instead of blocking.
  kAuditMode,
  /// `usb.blocked-kind`: storage-like and unregistered; its storage-like interfaces are blocked.
  kBlockedKind,
  /// `usb.block-all`: storage-like interfaces are blocked, registered or not (mode block_all).
  kBlockAll,
  /// `usb.unclassified`: no interface could be read (neither configured nor described), so what
  /// it is for is unknown; the device is blocked unless registered (fail closed).
  kUnclassified,
};

inline constexpr std::array kAllUsbRules{UsbRule::kAllowedKind, UsbRule::kRegisteredMedium,
                                         UsbRule::kAuditMode,   UsbRule::kBlockedKind,
                                         UsbRule::kBlockAll,    UsbRule::kUnclassified};

/// `usb.registered-medium`, ...: the ids used in audit records and reports.
std::string_view usbRuleId(UsbRule rule);
std::optional<UsbRule> parseUsbRule(std::string_view id);

/// Keyboards and mice (03), hubs (09) and smart-card readers (0B): never blocked, whatever the
/// policy lists, because blocking them locks staff out of the PC (and out of smart-card login).
bool alwaysAllowed(UsbKind kind);

/// Whether interfaces of `kind` are storage-like under `rules`: blocked unless registered.
bool storageLike(const UsbRules& rules, UsbKind kind);

/// The ledger entry of `device`: VID, PID and serial all equal. A device without a serial never
/// matches, since it could be any stick of its model.
std::optional<RegisteredMedium> findRegisteredMedium(const UsbRules& rules,
                                                     const UsbDevice& device);

struct UsbInterfaceDecision {
  std::uint8_t number = 0;
  UsbKind kind = UsbKind::kOther;
  bool storage_like = false;
  bool authorized = false;

  bool operator==(const UsbInterfaceDecision&) const = default;
};

struct UsbDecision {
  UsbRule rule = UsbRule::kUnclassified;
  /// False only when no interface may be used: a composite stick-with-keyboard is authorised
  /// and only its keyboard interface is.
  bool authorize_device = false;
  /// One per interface of the device judged, in the same order.
  std::vector<UsbInterfaceDecision> interfaces;
  /// Its block devices are to be made read-only (an authorised registered medium whose ledger
  /// entry says so; the segment's `read_only_by_default` was applied when the policy was read).
  bool read_only = false;
  /// The ledger entry the device matched, also when the decision blocks it (mode block_all).
  std::optional<RegisteredMedium> medium;

  /// Whether interface `number` may be used; false for a number the device did not declare.
  [[nodiscard]] bool interfaceAuthorized(std::uint8_t number) const;
  /// Whether any interface is of a storage-like kind.
  [[nodiscard]] bool storageLike() const;
};

/// Judges one device under one segment's rules. Pure; the same answer every time.
UsbDecision decideUsb(const UsbRules& rules, const UsbDevice& device);

}  // namespace mamori::policy
