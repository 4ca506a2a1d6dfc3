#pragma once

// The agent's decisions as audit events, the same on every OS: what the enforcer decided about
// a USB device (USB-3, 第43条, 第123条), and a change of the firewall's mode (NET-2, NET-4).
// Each gets a new event id; the collector keeps each id once.

#include <string>

#include "mamori/platform/usb_enforcer.hpp"
#include "mamori/policy/network_mode.hpp"
#include "mamori/protocol/audit_event.hpp"

namespace mamori::agent {

/// The audit event of one decision. The device's and its interfaces' `authorized` flags say
/// what was decided (not what the OS had before).
protocol::AuditEvent auditEventOf(const platform::UsbDecisionRecord& record);

/// The audit event of the firewall going from `from` to `decision.mode` (or failing to:
/// `error`), at `now`, by the person at the PC when there is one (`user`).
protocol::AuditEvent networkAuditEvent(policy::NetworkMode from,
                                       const policy::NetworkDecision& decision,
                                       const std::string& error, std::int64_t policy_version,
                                       policy::TimePoint now, std::string user);

}  // namespace mamori::agent
