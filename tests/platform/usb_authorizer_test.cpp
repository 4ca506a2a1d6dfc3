// The Linux USB enforcer's decisions and writes (USB-1..USB-3), on a fixture sysfs: what the
// kernel is told for devices present at start, for hot-plugs and for policy changes. The
// kernel's side (configuring a device once authorised) is staged by the test.

#include "usb_authorizer.hpp"

#include <doctest/doctest.h>

#include "fake_block_devices.hpp"
#include "fake_clock.hpp"
#include "usb_enforcer_support.hpp"

namespace mamori::platform::linux {
namespace {

using namespace std::chrono_literals;
using policy::UsbRule;
using testing::RecordingEvents;
using testing::uevent;
using testing::usbDevpath;
using testing::UsbFixture;

const auto kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + 9h;

UsbEnforcementPolicy lgwan(std::int64_t version = 12) {
  return {policy::builtInPolicy().profile(policy::Segment::kLgwan).usb, version};
}

// The fixture's SanDisk stick (1-1.2) registered; read-only as asked.
UsbEnforcementPolicy withRegisteredStick(bool read_only, std::int64_t version = 13) {
  auto p = lgwan(version);
  p.rules.allowlist.push_back(
      {0x0781, 0x5581, "4C530001230510117172", "総務課 USB-012", read_only});
  return p;
}

struct Harness {
  UsbFixture sys;
  fake::FakeBlockDevices block_devices;
  fake::FakeClock clock{policy::TimePoint{kNow}, 250us};
  RecordingEvents events;
  UsbAuthorizer authorizer{RootFs(sys.root().path()), block_devices, clock, events};

  void plug(std::string_view name) {
    authorizer.handle(*parseUevent(uevent("add", usbDevpath(name), "usb", "usb_device")),
                      clock.monotonic());
  }
  void interfaceAdded(std::string_view name) {
    authorizer.handle(*parseUevent(uevent("add", usbDevpath(name), "usb", "usb_interface")),
                      clock.monotonic());
  }
  [[nodiscard]] std::string dev(std::string_view block) const {
    return (sys.root().path() / "dev" / block).string();
  }
};

TEST_CASE("USB-1: lock holds new devices and new interfaces back on every root hub") {
  Harness h;
  REQUIRE(h.authorizer.lock());
  for (const auto* hub : {"usb1", "usb2"}) {
    CHECK(h.sys.attribute(std::string(hub) + "/authorized_default") == "0");
    CHECK(h.sys.attribute(std::string(hub) + "/interface_authorized_default") == "0");
  }
}

TEST_CASE("USB-1: a controller that cannot be locked is named, the others are locked anyway") {
  Harness h;
  h.sys.root().remove("/sys/bus/usb/devices/usb1/interface_authorized_default");
  const auto locked = h.authorizer.lock();
  REQUIRE_FALSE(locked.has_value());
  CHECK(locked.error().message.find("usb1/interface_authorized_default") != std::string::npos);
  CHECK(h.sys.attribute("usb2/authorized_default") == "0");
  CHECK(h.sys.attribute("usb2/interface_authorized_default") == "0");
}

TEST_CASE("USB-1: a stick plugged in before the agent started is deauthorised at start") {
  Harness h;
  REQUIRE(h.authorizer.lock());
  REQUIRE(h.authorizer.apply(lgwan()));
  CHECK(h.sys.attribute("1-1.2/authorized") == "0");
  const auto& r = h.events.about("1-1.2");
  CHECK(r.cause == UsbDecisionCause::kPolicyApplied);
  CHECK(r.decision.rule == UsbRule::kBlockedKind);
  CHECK_FALSE(r.decision.authorize_device);
  CHECK(r.changed);
  CHECK(r.error.empty());
  CHECK(r.policy_version == 12);
  CHECK(r.at == kNow);
  CHECK(r.device.serial == "4C530001230510117172");
  CHECK(r.device.authorized);                   // as found
  CHECK_FALSE(r.decision_latency.has_value());  // not a hot-plug
}

TEST_CASE("USB-1: at start, keyboards and hubs stay, a stick-with-keyboard loses its storage") {
  Harness h;
  REQUIRE(h.authorizer.apply(lgwan()));
  CHECK(h.sys.attribute("1-1/authorized") == "1");
  CHECK(h.sys.attribute("1-1.1/authorized") == "1");
  CHECK(h.events.about("1-1").decision.rule == UsbRule::kAllowedKind);
  CHECK(h.events.about("1-1.1").decision.rule == UsbRule::kAllowedKind);
  CHECK_FALSE(h.events.about("1-1.1").changed);

  CHECK(h.sys.attribute("1-1.3/authorized") == "1");
  CHECK(h.sys.attribute("1-1.3:1.0/authorized") == "1");
  CHECK(h.sys.attribute("1-1.3:1.1/authorized") == "0");
  const auto& composite = h.events.about("1-1.3");
  CHECK(composite.decision.rule == UsbRule::kBlockedKind);
  CHECK(composite.decision.authorize_device);
  CHECK(composite.changed);
  REQUIRE(composite.device.interfaces.size() == 2);
  CHECK(composite.decision.interfaces[0].authorized);
  CHECK_FALSE(composite.decision.interfaces[1].authorized);
  // The keyboard interface has no driver in the fixture, so it is probed; never the storage.
  CHECK(h.sys.probed() == "1-1.3:1.0");
}

TEST_CASE("USB-3: a stick that was never authorised is recorded as blocked without a write") {
  Harness h;
  REQUIRE(h.authorizer.apply(lgwan()));
  const auto& r = h.events.about("2-1");
  CHECK(r.decision.rule == UsbRule::kBlockedKind);
  CHECK_FALSE(r.changed);
  CHECK(r.device.vendor_id == 0x0951);
  REQUIRE(r.device.interfaces.size() == 1);  // from its descriptors
  CHECK(r.device.interfaces[0].interface_class == 0x08);
  CHECK(h.sys.attribute("2-1/authorized") == "0");
  CHECK(h.events.decisions.size() == 5);  // hub, keyboard, stick, composite, unauthorised stick
}

TEST_CASE("USB-1: bound interfaces are not probed again") {
  Harness h;
  h.sys.bind("1-1.3:1.0");
  REQUIRE(h.authorizer.apply(lgwan()));
  CHECK(h.sys.attribute("1-1.3:1.1/authorized") == "0");
  CHECK(h.sys.probed() != "1-1.3:1.0");
}

TEST_CASE("USB-2: a registered read-only medium present at start gets read-only disks") {
  Harness h;
  h.sys.addDisk("1-1.2:1.0", "sdb", {"sdb1", "sdb2"});
  REQUIRE(h.authorizer.apply(withRegisteredStick(true)));
  CHECK(h.sys.attribute("1-1.2/authorized") == "1");
  const auto& r = h.events.about("1-1.2");
  CHECK(r.decision.rule == UsbRule::kRegisteredMedium);
  CHECK(r.decision.read_only);
  CHECK_FALSE(r.changed);
  CHECK(h.block_devices.calls() ==
        std::vector<std::string>{h.dev("sdb"), h.dev("sdb1"), h.dev("sdb2")});
  REQUIRE(h.events.read_only.size() == 3);
  CHECK(h.events.read_only[0].port == "1-1.2");
  CHECK(h.events.read_only[0].block_device == "sdb");
  CHECK(h.events.read_only[0].medium == "総務課 USB-012");
  CHECK(h.events.read_only[0].error.empty());
}

TEST_CASE("USB-2: a medium that cannot be made read-only is reported and deauthorised") {
  Harness h;
  h.sys.addDisk("1-1.2:1.0", "sdb");
  h.block_devices.refuse(h.dev("sdb"), h.dev("sdb") + ": BLKROSET: Permission denied");
  REQUIRE(h.authorizer.apply(withRegisteredStick(true)));
  REQUIRE(h.events.read_only.size() == 1);
  CHECK(h.events.read_only[0].error.find("BLKROSET: Permission denied") != std::string::npos);
  CHECK(h.events.read_only[0].error.ends_with("the device was deauthorised"));
  CHECK(h.sys.attribute("1-1.2/authorized") == "0");  // writable it would break the policy
}

TEST_CASE("USB-1: a plugged unregistered stick stays unauthorised, decided within the budget") {
  Harness h;
  REQUIRE(h.authorizer.lock());
  REQUIRE(h.authorizer.apply(lgwan()));
  h.sys.plugHeldBack("2-2", 0x0951, 0x1666, "E0D55EA574C1F1A1", {0x08});
  h.plug("2-2");
  CHECK(h.sys.attribute("2-2/authorized") == "0");
  const auto& r = h.events.about("2-2");
  CHECK(r.cause == UsbDecisionCause::kPlugged);
  CHECK(r.decision.rule == UsbRule::kBlockedKind);
  CHECK_FALSE(r.changed);
  // The fake clock advances 250 µs per reading: received, then the decision.
  CHECK(r.decision_latency == 250us);
  CHECK(h.authorizer.latency().samples == 1);
  CHECK(h.authorizer.latency().p99 == 250us);
}

TEST_CASE("USB-1: a plugged keyboard is authorised, then its interface and driver") {
  Harness h;
  REQUIRE(h.authorizer.apply(lgwan()));
  h.sys.plugHeldBack("2-2", 0x046d, 0xc31c, "", {0x03});
  h.plug("2-2");
  CHECK(h.sys.attribute("2-2/authorized") == "1");
  CHECK(h.events.about("2-2").decision.rule == UsbRule::kAllowedKind);
  CHECK(h.events.about("2-2").changed);
  // The kernel configures it and announces the interface, held back by the lock.
  h.sys.addInterface("2-2", 0, 0x03);
  h.interfaceAdded("2-2:1.0");
  CHECK(h.sys.attribute("2-2:1.0/authorized") == "1");
  CHECK(h.sys.probed() == "2-2:1.0");
}

TEST_CASE("USB-1: a plugged stick-with-keyboard gets its keyboard interface only") {
  Harness h;
  REQUIRE(h.authorizer.apply(lgwan()));
  h.sys.plugHeldBack("2-3", 0x1234, 0x5678, "BADUSB02", {0x03, 0x08});
  // What the kernel creates while mamori's authorisation write configures the device.
  h.sys.addInterface("2-3", 0, 0x03);
  h.sys.addInterface("2-3", 1, 0x08);
  h.plug("2-3");
  CHECK(h.sys.attribute("2-3/authorized") == "1");
  CHECK(h.sys.attribute("2-3:1.0/authorized") == "1");
  CHECK(h.sys.attribute("2-3:1.1/authorized") == "0");
  CHECK(h.sys.probed() == "2-3:1.0");
  // The interface events that follow change nothing.
  h.sys.root().write("/sys/bus/usb/drivers_probe", "");
  h.sys.bind("2-3:1.0");
  h.interfaceAdded("2-3:1.0");
  h.interfaceAdded("2-3:1.1");
  CHECK(h.sys.attribute("2-3:1.1/authorized") == "0");
  CHECK(h.sys.probed().empty());
  CHECK(h.events.errors.empty());
}

TEST_CASE("USB-2: a plugged read-only medium's disk is made read-only as it appears") {
  Harness h;
  REQUIRE(h.authorizer.apply(withRegisteredStick(true)));
  const auto disk = usbDevpath("1-1.2") + "/1-1.2:1.0/host0/target0:0:0/0:0:0:0/block/sdb";
  h.authorizer.handle(*parseUevent(uevent("add", disk, "block", "disk", "sdb")), {});
  h.authorizer.handle(*parseUevent(uevent("add", disk + "/sdb1", "block", "partition", "sdb1")),
                      {});
  CHECK(h.block_devices.calls() == std::vector<std::string>{h.dev("sdb"), h.dev("sdb1")});

  // Writable media and blocked sticks are left alone.
  Harness writable;
  REQUIRE(writable.authorizer.apply(withRegisteredStick(false)));
  writable.authorizer.handle(*parseUevent(uevent("add", disk, "block", "disk", "sdb")), {});
  CHECK(writable.block_devices.calls().empty());
}

TEST_CASE("USB-1: a USB controller that appears later is locked, its devices judged") {
  Harness h;
  REQUIRE(h.authorizer.lock());
  REQUIRE(h.authorizer.apply(lgwan()));
  h.sys.root().write("/sys/bus/usb/devices/usb3/authorized_default", "1\n");
  h.sys.root().write("/sys/bus/usb/devices/usb3/interface_authorized_default", "1\n");
  // Enumerated before the lock reached it: configured and authorised.
  h.sys.plugHeldBack("3-1", 0x0781, 0x5581, "OTHER", {0x08});
  h.sys.root().write("/sys/bus/usb/devices/3-1/authorized", "1\n");
  h.sys.addInterface("3-1", 0, 0x08, true);
  h.authorizer.handle(
      *parseUevent(uevent("add", "/devices/pci0000:00/0000:05:00.0/usb3", "usb", "usb_device")),
      {});
  CHECK(h.sys.attribute("usb3/authorized_default") == "0");
  CHECK(h.sys.attribute("usb3/interface_authorized_default") == "0");
  CHECK(h.sys.attribute("3-1/authorized") == "0");
  CHECK(h.events.about("3-1").cause == UsbDecisionCause::kPlugged);
}

TEST_CASE("USB-1: before the first policy, plugged devices wait unauthorised") {
  Harness h;
  REQUIRE(h.authorizer.lock());
  h.sys.plugHeldBack("2-2", 0x046d, 0xc31c, "", {0x03});
  h.plug("2-2");
  CHECK(h.sys.attribute("2-2/authorized") == "0");
  CHECK(h.events.decisions.empty());
  REQUIRE(h.authorizer.apply(lgwan()));  // and judged when it arrives
  CHECK(h.sys.attribute("2-2/authorized") == "1");
}

TEST_CASE("USB-2: a new policy applies to present devices at once") {
  Harness h;
  REQUIRE(h.authorizer.apply(lgwan()));
  CHECK(h.sys.attribute("1-1.2/authorized") == "0");

  // Registered: authorised again (in the kernel, its interfaces reappear held back).
  REQUIRE(h.authorizer.apply(withRegisteredStick(false, 13)));
  CHECK(h.sys.attribute("1-1.2/authorized") == "1");
  CHECK(h.events.about("1-1.2").decision.rule == UsbRule::kRegisteredMedium);
  CHECK(h.events.about("1-1.2").policy_version == 13);

  // block_all: out again, registered or not.
  auto block_all = withRegisteredStick(false, 14);
  block_all.rules.mode = policy::UsbMode::kBlockAll;
  REQUIRE(h.authorizer.apply(block_all));
  CHECK(h.sys.attribute("1-1.2/authorized") == "0");
  CHECK(h.events.about("1-1.2").decision.rule == UsbRule::kBlockAll);
  CHECK(h.events.about("1-1.2").decision.medium->label == "総務課 USB-012");
}

TEST_CASE("USB-3: a write the kernel refuses is in the record") {
  Harness h;
  h.sys.root().remove("/sys/bus/usb/devices/1-1.2/authorized");  // as if unplugged meanwhile
  REQUIRE(h.authorizer.apply(lgwan()));
  const auto& r = h.events.about("1-1.2");
  CHECK_FALSE(r.changed);
  CHECK(r.error == "/sys/bus/usb/devices/1-1.2/authorized: No such file or directory");
}

TEST_CASE("USB-1: without sysfs, apply fails with the reason") {
  Harness h;
  h.sys.root().remove("/sys");
  const auto applied = h.authorizer.apply(lgwan());
  REQUIRE_FALSE(applied.has_value());
  CHECK(applied.error().message == "sysfs is not mounted at /sys");
}

TEST_CASE("USB-1: removals and other subsystems change nothing") {
  Harness h;
  REQUIRE(h.authorizer.apply(lgwan()));
  const auto before = h.events.decisions.size();
  h.sys.plugHeldBack("2-2", 0x046d, 0xc31c, "", {0x03});
  h.authorizer.handle(*parseUevent(uevent("remove", usbDevpath("2-2"), "usb", "usb_device")), {});
  h.authorizer.handle(*parseUevent(uevent("add", "/devices/virtual/net/tun0", "net", "")), {});
  h.authorizer.handle(*parseUevent(uevent("bind", usbDevpath("2-2"), "usb", "usb_device")), {});
  CHECK(h.events.decisions.size() == before);
  CHECK(h.sys.attribute("2-2/authorized") == "0");
}

}  // namespace
}  // namespace mamori::platform::linux
