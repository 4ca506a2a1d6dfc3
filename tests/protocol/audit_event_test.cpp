#include "mamori/protocol/audit_event.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include "facts_builder.hpp"
#include "mamori/policy/json_codec.hpp"
#include "mamori/protocol/messages.hpp"

using namespace mamori;
using namespace mamori::protocol;
using mamori::testing::kNow;

namespace {

policy::UsbDevice stick() {
  policy::UsbDevice d;
  d.port = "2-1";
  d.vendor_id = 0x0781;
  d.product_id = 0x5581;
  d.serial = "4C530001234567";
  d.manufacturer = "SanDisk";
  d.product = "Ultra";
  d.authorized = false;
  d.interfaces.push_back({0, 0x08, 0x06, 0x50, false});
  return d;
}

AuditEvent blockedStick() {
  AuditEvent e;
  e.event_id = "5f0c3a52-8a51-4f0e-b3b1-8c1a0d2e4f60";
  e.at = kNow;
  e.user = "yamada";
  e.policy_version = 12;
  e.what = UsbDecisionEvent{
      UsbAction::kBlocked, UsbCause::kPlugged, "usb.blocked-kind", "", false, "", stick()};
  return e;
}

std::string text(const boost::json::object& o) { return boost::json::serialize(o); }

}  // namespace

TEST_CASE("第43条: a USB decision survives the wire with the device's identity") {
  const auto sent = blockedStick();
  const auto received = auditEventFromJson(text(toJson(sent)));
  REQUIRE(received.has_value());
  CHECK(received->event_id == sent.event_id);
  CHECK(received->at == kNow);
  CHECK(received->user == "yamada");
  CHECK(received->policy_version == 12);
  const auto& usb = std::get<UsbDecisionEvent>(received->what);
  CHECK(usb.action == UsbAction::kBlocked);
  CHECK(usb.cause == UsbCause::kPlugged);
  CHECK(usb.rule == "usb.blocked-kind");
  CHECK(usb.device.serial == "4C530001234567");
  REQUIRE(usb.device.interfaces.size() == 1);
  CHECK_FALSE(usb.device.interfaces[0].authorized);
  CHECK(auditCategory(*received) == "usb");
  CHECK(auditAction(*received) == "blocked");
  CHECK(auditRule(*received) == "usb.blocked-kind");
  CHECK(auditSubject(*received) == "0781:5581 SanDisk Ultra (4C530001234567)");
}

TEST_CASE("a registered medium set read-only is filed as such, with its ledger label") {
  auto event = blockedStick();
  event.what = UsbDecisionEvent{UsbAction::kAllowed,
                                UsbCause::kPolicyApplied,
                                "usb.registered-medium",
                                "総務課 USB-012",
                                true,
                                "",
                                stick()};
  CHECK(auditAction(event) == "allowed-read-only");
  CHECK(auditSubject(event) == "0781:5581 SanDisk Ultra (4C530001234567) [総務課 USB-012]");
}

TEST_CASE("a malformed audit event names the field below the event") {
  auto json = toJson(blockedStick());
  SUBCASE("rule id with spaces") {
    json["usb"].as_object()["rule"] = "rm -rf";
    const auto r = auditEventFromJson(text(json));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$.usb.rule");
  }
  SUBCASE("device with a bad vendor id") {
    json["usb"].as_object()["device"].as_object()["vendor_id"] = "zz";
    const auto r = auditEventFromJson(text(json));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$.usb.device.vendor_id");
  }
  SUBCASE("unknown action") {
    json["usb"].as_object()["action"] = "ignored";
    const auto r = auditEventFromJson(text(json));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$.usb.action");
  }
}

TEST_CASE("a report carries its audit events, within a limit") {
  Report report;
  report.report_id = "0b6f9c1e-3d4a-4f8e-9a51-2c7d8e9f0a1b";
  report.generated_at = kNow;
  report.agent_version = "0.1.0";
  report.facts = testing::healthyFacts();
  report.audit_events.push_back(blockedStick());

  auto received = reportFromJson(text(toJson(report)));
  REQUIRE(received.has_value());
  REQUIRE(received->audit_events.size() == 1);
  CHECK(received->audit_events[0].event_id == report.audit_events[0].event_id);

  SUBCASE("an agent from before audit events sends none") {
    auto json = toJson(report);
    json.erase("audit_events");
    received = reportFromJson(text(json));
    REQUIRE(received.has_value());
    CHECK(received->audit_events.empty());
  }
  SUBCASE("a bad event fails the report with the event's path") {
    auto json = toJson(report);
    json["audit_events"].as_array()[0].as_object()["at"] = "yesterday";
    received = reportFromJson(text(json));
    REQUIRE_FALSE(received.has_value());
    CHECK(received.error().field == "$.audit_events[0].at");
  }
  SUBCASE("too many events") {
    report.audit_events.assign(kMaxAuditEventsPerReport + 1, blockedStick());
    received = reportFromJson(text(toJson(report)));
    REQUIRE_FALSE(received.has_value());
    CHECK(received.error().field == "$.audit_events");
  }
}

TEST_CASE("NET-2: a change of the PC's firewall survives the wire and is filed as network") {
  auto sent = blockedStick();
  sent.what = NetworkChangeEvent{policy::NetworkMode::kOpen,
                                 policy::NetworkMode::kQuarantine,
                                 "network.admission",
                                 {"AV-2 不合格", "AV-2 failed"},
                                 ""};
  const auto received = auditEventFromJson(text(toJson(sent)));
  REQUIRE_MESSAGE(received.has_value(), received.error().describe());
  const auto& network = std::get<NetworkChangeEvent>(received->what);
  CHECK(network.from == policy::NetworkMode::kOpen);
  CHECK(network.to == policy::NetworkMode::kQuarantine);
  CHECK(network.reason.ja == "AV-2 不合格");
  CHECK(auditCategory(*received) == "network");
  CHECK(auditAction(*received) == "quarantine");
  CHECK(auditRule(*received) == "network.admission");
  CHECK(auditSubject(*received) == "open -> quarantine: AV-2 failed");
  CHECK(auditActionText("quarantine").ja == "検疫中");
  CHECK(auditActionText("blocked").ja == "遮断");

  std::get<NetworkChangeEvent>(sent.what).error = "nft: Operation not permitted";
  CHECK(auditSubject(sent) ==
        "open -> quarantine: AV-2 failed (not applied: nft: Operation not permitted)");
}

TEST_CASE("an audit event names exactly one kind") {
  auto json = toJson(blockedStick());
  SUBCASE("neither") {
    json.erase("usb");
    const auto r = auditEventFromJson(text(json));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$");
    CHECK(r.error().message.find("exactly one of \"usb\", \"network\", \"agent\" and \"update\"") !=
          std::string::npos);
  }
  SUBCASE("a network change with an unknown mode") {
    auto network = blockedStick();
    network.what = NetworkChangeEvent{policy::NetworkMode::kQuarantine,
                                      policy::NetworkMode::kOpen,
                                      "network.admission",
                                      {"", ""},
                                      ""};
    auto j = toJson(network);
    j["network"].as_object()["to"] = "closed";
    const auto r = auditEventFromJson(text(j));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "$.network.to");
  }
}

TEST_CASE("an attempt to remove the agent is filed as agent") {
  auto sent = blockedStick();
  sent.what = UninstallEvent{false, "agent.uninstall-refused", "no unlock code (by yamada)"};
  const auto received = auditEventFromJson(text(toJson(sent)));
  REQUIRE_MESSAGE(received.has_value(), received.error().describe());
  CHECK(auditCategory(*received) == "agent");
  CHECK(auditAction(*received) == "uninstall-refused");
  CHECK(auditRule(*received) == "agent.uninstall-refused");
  CHECK(auditSubject(*received) == "mamori-agent: no unlock code (by yamada)");
  CHECK(auditActionText("uninstall-refused").ja == "削除拒否");
}

TEST_CASE("a refused update is filed as update, with what was refused and why") {
  auto sent = blockedStick();
  sent.what = UpdateEvent{"update-refused", "update.metadata", "timestamp.json", "rollback",
                          "version 3 is older than the trusted version 4"};
  const auto received = auditEventFromJson(text(toJson(sent)));
  REQUIRE_MESSAGE(received.has_value(), received.error().describe());
  CHECK(auditCategory(*received) == "update");
  CHECK(auditAction(*received) == "update-refused");
  CHECK(auditRule(*received) == "update.metadata");
  CHECK(auditSubject(*received) ==
        "timestamp.json: rollback: version 3 is older than the trusted version 4");
  CHECK(auditActionText("update-refused").ja == "更新拒否");
  CHECK(auditActionText("policy-activated").en == "policy-activated");
}

TEST_CASE("the agent's own updates are filed as update, each outcome by its action") {
  for (const std::string action :
       {"agent-update-started", "agent-update-failed", "agent-updated", "agent-rolled-back"}) {
    auto sent = blockedStick();
    sent.what = UpdateEvent{action, "update.package",
                            "packages/debian-amd64/mamori-agent_0.2.0-1_amd64.deb", "",
                            "version 0.1.0-1 -> 0.2.0-1"};
    const auto received = auditEventFromJson(text(toJson(sent)));
    REQUIRE_MESSAGE(received.has_value(), received.error().describe());
    CHECK(auditAction(*received) == action);
    CHECK(auditActionText(action).en == action);
  }
  CHECK(auditActionText("agent-rolled-back").ja == "エージェント差し戻し");
  auto unknown = blockedStick();
  unknown.what = UpdateEvent{"agent-exploded", "update.package", "x", "", "y"};
  CHECK_FALSE(auditEventFromJson(text(toJson(unknown))).has_value());
}
