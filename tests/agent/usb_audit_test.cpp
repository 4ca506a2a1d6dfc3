// The enforcer's decisions as audit events and staff notices (issue 5, 第43条): mapped with what
// was decided, logged durably off the enforcer's thread, and told to the person at the PC.

#include "usb_audit.hpp"

#include <doctest/doctest.h>

#include "fake_command_runner.hpp"
#include "local_store_support.hpp"
#include "mamori/protocol/messages.hpp"
#include "staff_notice.hpp"
#include "temp_root.hpp"

namespace mamori::agent {
namespace {

using namespace store_test;
using testing::TempRoot;

policy::UsbDevice stickWithKeyboard() {
  policy::UsbDevice d;
  d.port = "1-2";
  d.vendor_id = 0x0781;
  d.product_id = 0x5581;
  d.serial = "4C5300";
  d.product = "Ultra";
  d.authorized = false;
  d.interfaces = {{0, 0x08, 0x06, 0x50, false}, {1, 0x03, 0x01, 0x01, false}};
  return d;
}

platform::UsbDecisionRecord partlyAllowed() {
  platform::UsbDecisionRecord r;
  r.at = kNow;
  r.cause = platform::UsbDecisionCause::kPlugged;
  r.device = stickWithKeyboard();
  r.decision = policy::decideUsb(policy::UsbRules{}, r.device);
  r.policy_version = 12;
  return r;
}

// What the console looks like: yamada at a GNOME desktop with a session bus.
void gnomeSession(const TempRoot& root) {
  root.write("/run/systemd/sessions/3",
             "UID=1000\nUSER=yamada\nACTIVE=1\nREMOTE=0\nTYPE=wayland\nSEAT=seat0\n");
  root.write("/run/user/1000/bus", "");
}

TEST_CASE("a decision becomes an audit event with what was decided for each interface") {
  const auto record = partlyAllowed();
  REQUIRE(record.decision.authorize_device);
  const auto event = auditEventOf(record);
  CHECK(protocol::isReportId(event.event_id));
  CHECK(event.at == kNow);
  CHECK(event.policy_version == 12);
  const auto& usb = std::get<protocol::UsbDecisionEvent>(event.what);
  CHECK(usb.action == protocol::UsbAction::kPartlyAllowed);
  CHECK(usb.rule == "usb.blocked-kind");
  CHECK(usb.device.authorized);
  CHECK_FALSE(usb.device.interfaces[0].authorized);  // storage
  CHECK(usb.device.interfaces[1].authorized);        // keyboard
  CHECK(auditEventOf(record).event_id != event.event_id);
}

TEST_CASE("staff hear about a blocked device, in both languages, with whom to ask") {
  auto usb = std::get<protocol::UsbDecisionEvent>(auditEventOf(partlyAllowed()).what);
  const policy::Text desk{"ヘルプデスク（内線 2345）", "the help desk (ext. 2345)"};
  const auto notice = usbNotice(usb, desk);
  REQUIRE(notice.has_value());
  CHECK(notice->body.ja.find("Ultra (0781:5581)") != std::string::npos);
  CHECK(notice->body.ja.find("キーボード等の機能は使用できます") != std::string::npos);
  CHECK(notice->body.ja.find("ヘルプデスク（内線 2345）") != std::string::npos);
  CHECK(notice->body.en.find("contact the help desk (ext. 2345)") != std::string::npos);
  CHECK(usbNotice(usb, {})->body.en.find("the information system administrator") !=
        std::string::npos);

  usb.action = protocol::UsbAction::kAllowed;
  CHECK_FALSE(usbNotice(usb, desk).has_value());  // a device that works needs no notice
  usb.error = "write error";
  CHECK(usbNotice(usb, desk).has_value());  // unless allowing it failed
}

TEST_CASE("a notice reaches the desktop as the logged-in user, or only the log") {
  const TempRoot root;
  platform::fake::FakeCommandRunner commands;
  StaffNotifier notifier(commands, root.path(), policy::Lang::kJa);
  const StaffNotice notice{{"題", "title"}, {"本文", "body"}};

  notifier.notify(notice, platform::activeConsoleSession(root.path()));
  CHECK(commands.calls().empty());  // nobody at the console

  gnomeSession(root);
  notifier.notify(notice, platform::activeConsoleSession(root.path()));
  REQUIRE(commands.calls().size() == 1);
  CHECK(commands.calls()[0] ==
        "/usr/sbin/runuser -u yamada -- /usr/bin/env "
        "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus /usr/bin/notify-send "
        "--urgency=critical --app-name=mamori 題 本文");
}

TEST_CASE("the recorder logs every decision durably with the console user") {
  const TempRoot root;
  gnomeSession(root);
  const auto db = root.path() / "agent.db";
  platform::fake::FakeCommandRunner commands;
  StaffNotifier notifier(commands, root.path(), policy::Lang::kEn);
  {
    AuditRecorder recorder(openStore(db), notifier, {}, root.path());
    for (int i = 0; i < 20; ++i) recorder.onDecision(partlyAllowed());
    recorder.flush();
    auto reader = openStore(db);
    CHECK(reader.unreportedAuditCount() == 20);
    recorder.onDecision(partlyAllowed());
  }  // the destructor writes what is still queued
  auto store = openStore(db);
  const auto logged = store.unreportedAudit(100);
  REQUIRE(logged.has_value());
  REQUIRE(logged->size() == 21);
  const auto event = protocol::auditEventFromJson(logged->front().body);
  REQUIRE(event.has_value());
  CHECK(event->user == "yamada");
  CHECK(commands.calls().size() == 21);  // each partly blocked device was a notice
}

}  // namespace
}  // namespace mamori::agent
