#include "mamori/protocol/audit_event.hpp"

#include <algorithm>
#include <array>

#include "mamori/policy/json_codec.hpp"
#include "mamori/protocol/messages.hpp"
#include "wire_fields.hpp"

namespace mamori::protocol {

namespace js = boost::json;
using policy::json::Fields;
using policy::json::Node;

namespace {

constexpr std::size_t kMaxRuleBytes = 64;
constexpr std::size_t kMaxLabelBytes = 256;
constexpr std::size_t kMaxUserBytes = 256;
constexpr std::size_t kMaxErrorBytes = 1024;

bool isRuleId(std::string_view rule) {
  return !rule.empty() && rule.size() <= kMaxRuleBytes && std::ranges::all_of(rule, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
}

js::object toJson(const UsbDecisionEvent& e) {
  return {{"action", usbActionId(e.action)},
          {"cause", usbCauseId(e.cause)},
          {"rule", e.rule},
          {"medium", e.medium},
          {"read_only", e.read_only},
          {"error", e.error},
          {"device", policy::toJson(e.device)}};
}

UsbDecisionEvent decodeUsb(const Node& node) {
  Fields f(node);
  UsbDecisionEvent e;
  e.action =
      static_cast<UsbAction>(f.required("action").oneOf({"allowed", "partly-allowed", "blocked"}));
  e.cause =
      static_cast<UsbCause>(f.required("cause").oneOf({"plugged", "policy-applied", "rescan"}));
  const Node rule = f.required("rule");
  e.rule = std::string(rule.string());
  if (!isRuleId(e.rule)) rule.fail("is not a rule id (1-64 of a-z 0-9 . -)");
  e.medium = wire::boundedString(f.required("medium"), kMaxLabelBytes);
  e.read_only = f.required("read_only").boolean();
  e.error = wire::boundedString(f.required("error"), kMaxErrorBytes);
  e.device = wire::decodeUsbDevice(f.required("device"));
  f.finish();
  return e;
}

js::object toJson(const NetworkChangeEvent& e) {
  return {{"from", policy::networkModeId(e.from)},
          {"to", policy::networkModeId(e.to)},
          {"rule", e.rule},
          {"reason", {{"ja", e.reason.ja}, {"en", e.reason.en}}},
          {"error", e.error}};
}

policy::NetworkMode decodeNetworkMode(const Node& node) {
  return static_cast<policy::NetworkMode>(node.oneOf({"open", "quarantine", "isolated"}));
}

NetworkChangeEvent decodeNetwork(const Node& node) {
  Fields f(node);
  NetworkChangeEvent e;
  e.from = decodeNetworkMode(f.required("from"));
  e.to = decodeNetworkMode(f.required("to"));
  const Node rule = f.required("rule");
  e.rule = std::string(rule.string());
  if (!isRuleId(e.rule)) rule.fail("is not a rule id (1-64 of a-z 0-9 . -)");
  {
    Fields t(f.required("reason"));
    e.reason.ja = wire::boundedString(t.required("ja"), kMaxErrorBytes);
    e.reason.en = wire::boundedString(t.required("en"), kMaxErrorBytes);
    t.finish();
  }
  e.error = wire::boundedString(f.required("error"), kMaxErrorBytes);
  f.finish();
  return e;
}

js::object toJson(const UninstallEvent& e) {
  return {{"allowed", e.allowed}, {"rule", e.rule}, {"reason", e.reason}};
}

UninstallEvent decodeUninstall(const Node& node) {
  Fields f(node);
  UninstallEvent e;
  e.allowed = f.required("allowed").boolean();
  const Node rule = f.required("rule");
  e.rule = std::string(rule.string());
  if (!isRuleId(e.rule)) rule.fail("is not a rule id (1-64 of a-z 0-9 . -)");
  e.reason = wire::boundedString(f.required("reason"), kMaxErrorBytes);
  f.finish();
  return e;
}

js::object toJson(const UpdateEvent& e) {
  return {{"action", e.action},
          {"rule", e.rule},
          {"target", e.target},
          {"problem", e.problem},
          {"reason", e.reason}};
}

UpdateEvent decodeUpdate(const Node& node) {
  Fields f(node);
  UpdateEvent e;
  const Node action = f.required("action");
  static constexpr std::array<std::string_view, 6> kActions{
      "policy-activated",    "update-refused", "agent-update-started",
      "agent-update-failed", "agent-updated",  "agent-rolled-back"};
  e.action = std::string(kActions.at(action.oneOf(
      {kActions[0], kActions[1], kActions[2], kActions[3], kActions[4], kActions[5]})));
  const Node rule = f.required("rule");
  e.rule = std::string(rule.string());
  if (!isRuleId(e.rule)) rule.fail("is not a rule id (1-64 of a-z 0-9 . -)");
  e.target = wire::boundedString(f.required("target"), kMaxErrorBytes);
  e.problem = wire::boundedString(f.required("problem"), kMaxErrorBytes);
  e.reason = wire::boundedString(f.required("reason"), kMaxErrorBytes);
  f.finish();
  return e;
}

// One function per kind of event, chosen by overload.
struct Kind {
  std::string_view operator()(const UsbDecisionEvent&) const { return "usb"; }
  std::string_view operator()(const NetworkChangeEvent&) const { return "network"; }
  std::string_view operator()(const UninstallEvent&) const { return "agent"; }
  std::string_view operator()(const UpdateEvent&) const { return "update"; }
};

struct Action {
  std::string_view operator()(const UsbDecisionEvent& e) const {
    return usbOutcomeId(e.action, e.read_only);
  }
  std::string_view operator()(const NetworkChangeEvent& e) const {
    return policy::networkModeId(e.to);
  }
  std::string_view operator()(const UninstallEvent& e) const {
    return e.allowed ? "uninstall-allowed" : "uninstall-refused";
  }
  std::string_view operator()(const UpdateEvent& e) const { return e.action; }
};

struct Subject {
  std::string operator()(const UsbDecisionEvent& e) const {
    const auto& d = e.device;
    std::string line = d.vidPid();
    for (const auto* part : {&d.manufacturer, &d.product}) {
      if (!part->empty()) line += " " + *part;
    }
    if (!d.serial.empty()) line += " (" + d.serial + ")";
    if (!e.medium.empty()) line += " [" + e.medium + "]";
    return line;
  }
  std::string operator()(const NetworkChangeEvent& e) const {
    std::string line = std::string(policy::networkModeId(e.from)) + " -> " +
                       std::string(policy::networkModeId(e.to)) + ": " + e.reason.en;
    if (!e.error.empty()) line += " (not applied: " + e.error + ")";
    return line;
  }
  std::string operator()(const UninstallEvent& e) const { return "mamori-agent: " + e.reason; }
  std::string operator()(const UpdateEvent& e) const {
    return e.target + ": " + (e.problem.empty() ? "" : e.problem + ": ") + e.reason;
  }
};

}  // namespace

std::string_view usbActionId(UsbAction action) {
  switch (action) {
    case UsbAction::kAllowed: return "allowed";
    case UsbAction::kPartlyAllowed: return "partly-allowed";
    case UsbAction::kBlocked: return "blocked";
  }
  return "blocked";
}

std::string_view usbCauseId(UsbCause cause) {
  switch (cause) {
    case UsbCause::kPlugged: return "plugged";
    case UsbCause::kPolicyApplied: return "policy-applied";
    case UsbCause::kRescan: return "rescan";
  }
  return "plugged";
}

std::string_view auditCategory(const AuditEvent& event) { return std::visit(Kind{}, event.what); }

UsbAction usbActionOf(const policy::UsbDecision& d) {
  if (!d.authorize_device) return UsbAction::kBlocked;
  const bool all = std::ranges::all_of(d.interfaces, [](const auto& i) { return i.authorized; });
  return all ? UsbAction::kAllowed : UsbAction::kPartlyAllowed;
}

std::string_view usbOutcomeId(UsbAction action, bool read_only) {
  if (action == UsbAction::kAllowed && read_only) return "allowed-read-only";
  return usbActionId(action);
}

policy::Text auditActionText(std::string_view id) {
  if (id == "allowed") return {"許可", "allowed"};
  if (id == "allowed-read-only") return {"許可(読取専用)", "allowed-read-only"};
  if (id == "partly-allowed") return {"一部許可", "partly-allowed"};
  if (id == "blocked") return {"遮断", "blocked"};
  if (const auto mode = policy::parseNetworkMode(id)) return policy::networkModeText(*mode);
  if (id == "uninstall-refused") return {"削除拒否", "uninstall-refused"};
  if (id == "uninstall-allowed") return {"削除許可", "uninstall-allowed"};
  if (id == "policy-activated") return {"ポリシー適用", "policy-activated"};
  if (id == "update-refused") return {"更新拒否", "update-refused"};
  if (id == "agent-update-started") return {"エージェント更新開始", "agent-update-started"};
  if (id == "agent-update-failed") return {"エージェント更新失敗", "agent-update-failed"};
  if (id == "agent-updated") return {"エージェント更新完了", "agent-updated"};
  if (id == "agent-rolled-back") return {"エージェント差し戻し", "agent-rolled-back"};
  return {std::string(id), std::string(id)};
}

std::string_view auditAction(const AuditEvent& event) { return std::visit(Action{}, event.what); }

const std::string& auditRule(const AuditEvent& event) {
  return std::visit([](const auto& what) -> const std::string& { return what.rule; }, event.what);
}

std::string auditSubject(const AuditEvent& event) { return std::visit(Subject{}, event.what); }

js::object toJson(const AuditEvent& event) {
  js::object o{{"event_id", event.event_id},
               {"at", policy::formatTimestamp(event.at)},
               {"user", event.user},
               {"policy_version", event.policy_version}};
  std::visit([&](const auto& what) { o[Kind{}(what)] = toJson(what); }, event.what);
  return o;
}

AuditEvent decodeAuditEvent(const Node& node) {
  Fields f(node);
  AuditEvent event;
  const Node id = f.required("event_id");
  event.event_id = std::string(id.string());
  if (!isReportId(event.event_id)) id.fail("is not an event id (8-64 of A-Z a-z 0-9 -)");
  event.at = wire::decodeTime(f.required("at"));
  event.user = wire::boundedString(f.required("user"), kMaxUserBytes);
  event.policy_version = f.required("policy_version").integer(0, INT64_MAX);
  // Exactly one kind, named by its key.
  auto usb = f.optional("usb");
  auto network = f.optional("network");
  auto agent = f.optional("agent");
  auto update = f.optional("update");
  if (usb.has_value() + network.has_value() + agent.has_value() + update.has_value() != 1) {
    node.fail("needs exactly one of \"usb\", \"network\", \"agent\" and \"update\"");
  }
  if (usb) {
    event.what = decodeUsb(*usb);
  } else if (network) {
    event.what = decodeNetwork(*network);
  } else if (agent) {
    event.what = decodeUninstall(*agent);
  } else {
    event.what = decodeUpdate(*update);
  }
  f.finish();
  return event;
}

std::expected<AuditEvent, Error> auditEventFromJson(std::string_view text) {
  return wire::decodeDocument(text, [](const Node& root) { return decodeAuditEvent(root); });
}

}  // namespace mamori::protocol
