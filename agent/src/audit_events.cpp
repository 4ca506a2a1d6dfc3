#include "audit_events.hpp"

#include "mamori/protocol/messages.hpp"

namespace mamori::agent {
namespace {

using protocol::UsbCause;

UsbCause causeOf(platform::UsbDecisionCause cause) {
  switch (cause) {
    case platform::UsbDecisionCause::kPlugged: return UsbCause::kPlugged;
    case platform::UsbDecisionCause::kPolicyApplied: return UsbCause::kPolicyApplied;
    case platform::UsbDecisionCause::kRescan: return UsbCause::kRescan;
  }
  return UsbCause::kPlugged;
}

}  // namespace

protocol::AuditEvent auditEventOf(const platform::UsbDecisionRecord& r) {
  protocol::UsbDecisionEvent usb;
  usb.action = protocol::usbActionOf(r.decision);
  usb.cause = causeOf(r.cause);
  usb.rule = std::string(policy::usbRuleId(r.decision.rule));
  usb.medium = r.decision.medium ? r.decision.medium->label : "";
  usb.read_only = r.decision.read_only;
  usb.error = r.error;
  usb.device = r.device;
  usb.device.authorized = r.decision.authorize_device;
  for (auto& i : usb.device.interfaces) {
    i.authorized = r.decision.authorize_device && r.decision.interfaceAuthorized(i.number);
  }
  protocol::AuditEvent event;
  event.event_id = protocol::randomUuid();
  event.at = r.at;
  event.user = r.user;
  event.policy_version = r.policy_version;
  event.what = std::move(usb);
  return event;
}

protocol::AuditEvent networkAuditEvent(policy::NetworkMode from,
                                       const policy::NetworkDecision& decision,
                                       const std::string& error, std::int64_t policy_version,
                                       policy::TimePoint now, std::string user) {
  protocol::AuditEvent event;
  event.event_id = protocol::randomUuid();
  event.at = now;
  event.user = std::move(user);
  event.policy_version = policy_version;
  event.what =
      protocol::NetworkChangeEvent{from, decision.mode, decision.rule, decision.reason, error};
  return event;
}

}  // namespace mamori::agent
