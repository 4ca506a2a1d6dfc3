#pragma once

// What the agent did on the PC that an auditor may need to see later (第43条, 第123条): each
// decision is written to the agent's local store first, sent with the next report, and kept
// by the collector once per event id (a report sent twice stores its events once).

#include <boost/json/object.hpp>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <variant>

#include "mamori/error.hpp"
#include "mamori/policy/facts.hpp"
#include "mamori/policy/json_reader.hpp"
#include "mamori/policy/network_mode.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/time.hpp"
#include "mamori/policy/usb_decision.hpp"

namespace mamori::protocol {

enum class UsbAction {
  kAllowed,        ///< every interface authorised
  kPartlyAllowed,  ///< the device, but not all of its interfaces (a stick with a keyboard)
  kBlocked,        ///< the device itself stays unauthorised: no driver, no block device
};

std::string_view usbActionId(UsbAction action);  ///< `allowed`, `partly-allowed`, `blocked`

/// What a decision does with the device: every interface, some, or none.
UsbAction usbActionOf(const policy::UsbDecision& decision);

/// What was done, as filed and listed: usbActionId, with `allowed-read-only` for an allowed
/// medium set read-only.
std::string_view usbOutcomeId(UsbAction action, bool read_only);
/// An audit action id in the admin's words (`遮断` / `blocked`, `検疫中` / `quarantined`); an
/// unknown id as it is.
policy::Text auditActionText(std::string_view action_id);

/// Why the device was judged when it was.
enum class UsbCause {
  kPlugged,        ///< plugged in while the agent ran
  kPolicyApplied,  ///< present when the agent started, or judged again under a new policy
  kRescan,         ///< judged again after the OS dropped hot-plug events
};

std::string_view usbCauseId(UsbCause cause);  ///< `plugged`, `policy-applied`, `rescan`

/// A USB device was judged: on plug-in, at agent start, or when a new policy arrived.
struct UsbDecisionEvent {
  UsbAction action = UsbAction::kBlocked;
  UsbCause cause = UsbCause::kPlugged;
  /// The rule that decided (`usb.blocked-kind`, `usb.registered-medium`, ...).
  std::string rule;
  /// The media ledger's name for a registered medium (`総務課 USB-012`); empty otherwise.
  std::string medium;
  bool read_only = false;  ///< its block devices are set read-only
  /// Empty when the decision was applied; else what failed (the OS refused a write, ...).
  std::string error;
  /// Identity and interfaces; each interface's `authorized` is what was decided for it.
  policy::UsbDevice device;
};

/// The PC's own firewall changed mode (NET-2, NET-4), or could not be changed.
struct NetworkChangeEvent {
  policy::NetworkMode from = policy::NetworkMode::kOpen;
  policy::NetworkMode to = policy::NetworkMode::kOpen;
  /// What decided (policy::NetworkDecision::rule): `network.admission`, `network.isolation`, ...
  std::string rule;
  policy::Text reason;
  /// Empty when the firewall is in `to`; else why it could not be put there.
  std::string error;
};

/// Someone tried to remove the agent (issue 8, uninstall protection): refused, or let through
/// by the policy or an administrator's unlock code.
struct UninstallEvent {
  bool allowed = false;
  /// `agent.uninstall-refused`, `agent.uninstall-unlocked`, `agent.uninstall-unprotected`
  std::string rule;
  std::string reason;  ///< why, in one line (the code's expiry, or why it was refused)
};

/// A signed update (issue 9): a policy taken into force, the agent's own package installed (or
/// not), or anything the agent refused on the way (a bad signature, a rollback, expired or
/// oversized metadata, a policy that does not parse), so that attacks and misconfigurations reach
/// the admin.
struct UpdateEvent {
  /// `policy-activated`, `update-refused`; for the agent's package `agent-update-started`,
  /// `agent-update-failed` (not installed; the running version stays), `agent-updated` (the new
  /// version reported healthy in time), `agent-rolled-back` (it did not; the previous is back).
  std::string action;
  /// `update.policy`, `update.metadata`, `update.package`, ...
  std::string rule;
  std::string target;   ///< `policy/mynumber.json`, a package, or the metadata file refused
  std::string problem;  ///< when refused: `rollback`, `bad-signature`, `expired`, ...
  std::string reason;   ///< one line
};

struct AuditEvent {
  std::string event_id;  ///< a UUID chosen when the event happened
  policy::TimePoint at;
  std::string user;  ///< who was logged in at the console; empty when nobody or unknown
  std::int64_t policy_version = 0;
  /// What happened. One alternative per kind of event; more kinds join the variant.
  std::variant<UsbDecisionEvent, NetworkChangeEvent, UninstallEvent, UpdateEvent> what;
};

/// `usb`, `network`, `agent`, `update`: the name of an event's kind, as the collector files it.
std::string_view auditCategory(const AuditEvent& event);
/// What was done: `allowed`, `allowed-read-only`, `partly-allowed`, `blocked` (usb); the new
/// mode `open`, `quarantine`, `isolated` (network); `uninstall-refused`, `uninstall-allowed`
/// (agent); `policy-activated`, `update-refused` (update).
std::string_view auditAction(const AuditEvent& event);
/// The rule that decided.
const std::string& auditRule(const AuditEvent& event);
/// What it was done to, in one line and in no language: `0781:5581 SanDisk Ultra (4C530001)`,
/// with the ledger's label of a registered medium in brackets; `open -> quarantine: reason`.
std::string auditSubject(const AuditEvent& event);

boost::json::object toJson(const AuditEvent& event);
/// Strict like the other message codecs; failures name the path below `node`.
AuditEvent decodeAuditEvent(const policy::json::Node& node);
std::expected<AuditEvent, Error> auditEventFromJson(std::string_view text);

}  // namespace mamori::protocol
