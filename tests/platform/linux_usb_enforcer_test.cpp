// The Linux USB enforcer as the agent drives it (USB-1..USB-3): the event pump over a fake
// event source, stopping it from another thread, the kernel's real uevent socket, the real
// BLKROSET's errors and the latency figures.

#include "linux_usb_enforcer.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "block_device_control.hpp"
#include "fake_block_devices.hpp"
#include "fake_clock.hpp"
#include "fake_uevent_source.hpp"
#include "latency_window.hpp"
#include "uevent_source.hpp"
#include "usb_enforcer_support.hpp"

namespace mamori::platform::linux {
namespace {

using namespace std::chrono_literals;
using testing::RecordingEvents;
using testing::uevent;
using testing::usbDevpath;
using testing::UsbFixture;

const auto kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + 9h;

struct Harness {
  UsbFixture sys;
  fake::FakeClock clock{policy::TimePoint{kNow}, 1ms};
  fake::FakeUeventSource* uevents = nullptr;  // owned by the enforcer
  RecordingEvents events;
  std::unique_ptr<UsbEnforcer> enforcer;

  Harness() {
    auto source = std::make_unique<fake::FakeUeventSource>();
    uevents = source.get();
    enforcer = makeLinuxUsbEnforcer(
        {sys.root().path(), std::move(source), std::make_unique<fake::FakeBlockDevices>(), &clock},
        events);
  }
};

UsbEnforcementPolicy lgwan() {
  return {policy::builtInPolicy().profile(policy::Segment::kLgwan).usb, 12};
}

TEST_CASE("USB-1: the pump judges queued hot-plugs in order and returns when stopped") {
  Harness h;
  REQUIRE(h.enforcer->lock());
  REQUIRE(h.enforcer->apply(lgwan()));
  h.sys.plugHeldBack("2-2", 0x0951, 0x1666, "E0D55EA574C1F1A1", {0x08});
  h.sys.plugHeldBack("2-3", 0x046d, 0xc31c, "", {0x03});
  h.uevents->push(uevent("add", usbDevpath("2-2"), "usb", "usb_device"), h.clock.monotonic());
  h.uevents->push(uevent("add", usbDevpath("2-3"), "usb", "usb_device"), h.clock.monotonic());
  h.uevents->finish();
  REQUIRE(h.enforcer->run());
  CHECK(h.sys.attribute("2-2/authorized") == "0");
  CHECK(h.sys.attribute("2-3/authorized") == "1");
  CHECK(h.events.about("2-2").cause == UsbDecisionCause::kPlugged);
  CHECK(h.events.about("2-3").cause == UsbDecisionCause::kPlugged);
  // Both received at once (readings 0 and 1), decided at readings 2 and 3: 2 ms each.
  const auto latency = h.enforcer->latency();
  CHECK(latency.samples == 2);
  CHECK(latency.p50 == 2ms);
  CHECK(latency.max == 2ms);
}

TEST_CASE("USB-1: a malformed event is reported and the pump goes on") {
  Harness h;
  REQUIRE(h.enforcer->apply(lgwan()));
  h.sys.plugHeldBack("2-3", 0x046d, 0xc31c, "", {0x03});
  h.uevents->push("add@/devices/x");
  h.uevents->push(uevent("add", usbDevpath("2-3"), "usb", "usb_device"));
  h.uevents->finish();
  REQUIRE(h.enforcer->run());
  REQUIRE(h.events.errors.size() == 1);
  CHECK(h.events.errors[0].message == "uevent ignored: no ACTION@DEVPATH header");
  CHECK(h.sys.attribute("2-3/authorized") == "1");
}

TEST_CASE("USB-1: when the kernel dropped events, every device is judged again") {
  Harness h;
  REQUIRE(h.enforcer->lock());
  REQUIRE(h.enforcer->apply(lgwan()));
  // Plugged while the queue was full: its event is lost, the device waits.
  h.sys.plugHeldBack("2-2", 0x046d, 0xc31c, "", {0x03});
  h.uevents->pushEventsLost();
  h.uevents->finish();
  REQUIRE(h.enforcer->run());
  CHECK(h.sys.attribute("2-2/authorized") == "1");
  CHECK(h.events.about("2-2").cause == UsbDecisionCause::kRescan);
  CHECK(h.events.about("1-1.2").cause == UsbDecisionCause::kRescan);
  REQUIRE(h.events.errors.size() == 1);
  CHECK(h.events.errors[0].message.starts_with("the kernel dropped USB events"));
}

TEST_CASE("USB-1: a failing event source ends run() with its error") {
  Harness h;
  h.uevents->failWith(makeError(ErrorCode::kIo, "uevent socket: recvmsg: Bad file descriptor"));
  const auto ran = h.enforcer->run();
  REQUIRE_FALSE(ran.has_value());
  CHECK(ran.error().message == "uevent socket: recvmsg: Bad file descriptor");
}

TEST_CASE("USB-1: stop() ends a run() waiting on another thread") {
  Harness h;
  REQUIRE(h.enforcer->apply(lgwan()));
  std::expected<void, Error> ran = std::unexpected(makeError(ErrorCode::kUsage, "not run"));
  std::thread pump([&] { ran = h.enforcer->run(); });
  h.enforcer->stop();
  pump.join();
  CHECK(ran.has_value());
  // And a stopped enforcer's run() returns at once.
  CHECK(h.enforcer->run().has_value());
}

TEST_CASE("USB-1: a policy applied while the pump runs is applied at once") {
  Harness h;
  REQUIRE(h.enforcer->apply(lgwan()));
  std::expected<void, Error> ran;
  std::thread pump([&] { ran = h.enforcer->run(); });
  auto registered = lgwan();
  registered.rules.allowlist.push_back({0x0781, 0x5581, "4C530001230510117172", "USB-012", false});
  registered.version = 13;
  REQUIRE(h.enforcer->apply(registered));
  h.enforcer->stop();
  pump.join();
  CHECK(ran.has_value());
  CHECK(h.sys.attribute("1-1.2/authorized") == "1");
  CHECK(h.events.about("1-1.2").policy_version == 13);
}

TEST_CASE("USB-1: ports stay locked when the enforcer ends (fail closed)") {
  Harness h;
  REQUIRE(h.enforcer->lock());
  REQUIRE(h.enforcer->apply(lgwan()));
  h.enforcer->stop();
  h.enforcer.reset();
  for (const auto* hub : {"usb1", "usb2"}) {
    CHECK(h.sys.attribute(std::string(hub) + "/authorized_default") == "0");
    CHECK(h.sys.attribute(std::string(hub) + "/interface_authorized_default") == "0");
  }
  CHECK(h.sys.attribute("1-1.2/authorized") == "0");
}

TEST_CASE("USB-1: the platform's enforcer locks, judges and stops on a fixture root") {
  UsbFixture sys;
  RecordingEvents events;
  auto enforcer = makeUsbEnforcer({sys.root().path(), nullptr}, events);
  REQUIRE_MESSAGE(enforcer.has_value(), enforcer.error().message);
  REQUIRE((*enforcer)->lock());
  REQUIRE((*enforcer)->apply(lgwan()));
  CHECK(sys.attribute("usb1/authorized_default") == "0");
  CHECK(sys.attribute("1-1.2/authorized") == "0");
  CHECK(events.about("1-1.2").at > policy::TimePoint{});  // stamped by the system clock
  std::expected<void, Error> ran;
  std::thread pump([&] { ran = (*enforcer)->run(); });
  (*enforcer)->stop();
  pump.join();
  CHECK(ran.has_value());
}

TEST_CASE("USB-1: the kernel's uevent socket opens and stop() wakes a waiting reader") {
  auto source = openKernelUevents();
  REQUIRE_MESSAGE(source.has_value(), source.error().message);
  std::expected<std::optional<ReceivedUevent>, Error> got = std::optional<ReceivedUevent>{};
  bool returned = false;
  std::thread reader([&] {
    // Kernel events may arrive on a live machine; read until stopped.
    do {
      got = (*source)->next();
    } while (got && *got);
    returned = true;
  });
  (*source)->stop();
  reader.join();
  CHECK(returned);
  REQUIRE(got.has_value());
  CHECK_FALSE(got->has_value());
}

TEST_CASE("USB-2: BLKROSET on something that is no block device fails with the reason") {
  const testing::TempRoot root;
  root.write("/not-a-disk", "x");
  const auto control = makeBlockDeviceControl();
  const auto file = root.path() / "not-a-disk";
  auto done = control->setReadOnly(file);
  REQUIRE_FALSE(done.has_value());
  CHECK(done.error() == file.string() + ": BLKROSET: Inappropriate ioctl for device");
  done = control->setReadOnly(root.path() / "sdz");
  REQUIRE_FALSE(done.has_value());
  CHECK(done.error() == (root.path() / "sdz").string() + ": No such file or directory");
}

TEST_CASE("USB-1: latency figures are nearest-rank percentiles over the recent window") {
  LatencyWindow window(100);
  CHECK(window.summary().samples == 0);
  CHECK(window.summary().p99 == 0us);
  for (int i = 1; i <= 100; ++i) window.add(std::chrono::microseconds(i));
  auto s = window.summary();
  CHECK(s.samples == 100);
  CHECK(s.p50 == 50us);
  CHECK(s.p99 == 99us);
  CHECK(s.max == 100us);
  // The window keeps the last 100: fifty slow ones replace the fifty oldest.
  for (int i = 0; i < 50; ++i) window.add(5000us);
  s = window.summary();
  CHECK(s.samples == 100);
  CHECK(s.p50 == 100us);
  CHECK(s.p99 == 5000us);
}

}  // namespace
}  // namespace mamori::platform::linux
