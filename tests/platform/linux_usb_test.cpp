// The USB inventory the Linux probe reads from sysfs (USB-1, USB-4), on fixture trees.

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "fake_command_runner.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/time.hpp"
#include "temp_root.hpp"

namespace mamori::platform {
namespace {

using policy::UsbKind;
using testing::TempRoot;

policy::PostureFacts collect(const TempRoot& root) {
  auto probe = makePostureProbe({root.path(), std::make_unique<fake::FakeCommandRunner>()});
  return probe->collect(*policy::parseTimestamp("2026-11-22T09:00:00Z"));
}

const policy::UsbDevice* device(const policy::UsbInventory& usb, std::string_view port) {
  const auto it = std::ranges::find(usb.devices, port, &policy::UsbDevice::port);
  return it == usb.devices.end() ? nullptr : &*it;
}

TEST_CASE("USB-1: both root hubs are controllers, with the kernel authorising new devices") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  const auto& controllers = facts.usb->controllers;
  REQUIRE(controllers.size() == 2);
  CHECK(controllers[0].name == "usb1");
  CHECK(controllers[1].name == "usb2");
  for (const auto& c : controllers) {
    CHECK(c.authorized_default == 1);
    REQUIRE(c.interface_authorized_default.has_value());
    CHECK(*c.interface_authorized_default);
  }
}

TEST_CASE("USB-1: a controller holding new devices back (authorized_default 0) is reported so") {
  const TempRoot root{"hosts/debian12"};
  root.write("/sys/bus/usb/devices/usb2/authorized_default", "0\n");
  root.remove("/sys/bus/usb/devices/usb2/interface_authorized_default");  // older kernel
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  REQUIRE(facts.usb->controllers.size() == 2);
  CHECK(facts.usb->controllers[0].authorized_default == 1);
  CHECK(facts.usb->controllers[1].authorized_default == 0);
  CHECK_FALSE(facts.usb->controllers[1].interface_authorized_default.has_value());
}

TEST_CASE("USB-4: every attached device is listed, root hubs and their interfaces are not") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  std::vector<std::string> ports;
  for (const auto& d : facts.usb->devices) ports.push_back(d.port);
  CHECK(ports == std::vector<std::string>{"1-1", "1-1.1", "1-1.2", "1-1.3", "2-1"});
}

TEST_CASE("USB-4: an external hub is classified as a hub") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  const auto* hub = device(facts.usb.value(), "1-1");
  REQUIRE(hub != nullptr);
  CHECK(hub->vidPid() == "05e3:0610");
  CHECK(hub->device_class == 0x09);
  CHECK(hub->product == "USB2.0 Hub");
  REQUIRE(hub->interfaces.size() == 1);
  CHECK(hub->hasKind(UsbKind::kHub));
}

TEST_CASE("USB-1: a keyboard is hid and not storage") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  const auto* keyboard = device(facts.usb.value(), "1-1.1");
  REQUIRE(keyboard != nullptr);
  CHECK(keyboard->vidPid() == "046d:c31c");
  CHECK(keyboard->manufacturer == "Logitech");
  CHECK(keyboard->product == "USB Keyboard");
  CHECK(keyboard->serial.empty());
  CHECK(keyboard->authorized);
  REQUIRE(keyboard->interfaces.size() == 1);
  CHECK(keyboard->interfaces[0].subclass == 0x01);
  CHECK(keyboard->interfaces[0].protocol == 0x01);
  CHECK(keyboard->hasKind(UsbKind::kHid));
  CHECK_FALSE(keyboard->hasKind(UsbKind::kStorage));
}

TEST_CASE("USB-2: a USB stick is storage and carries the serial registered media are matched on") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  const auto* stick = device(facts.usb.value(), "1-1.2");
  REQUIRE(stick != nullptr);
  CHECK(stick->vendor_id == 0x0781);
  CHECK(stick->product_id == 0x5581);
  CHECK(stick->serial == "4C530001230510117172");
  CHECK(stick->manufacturer == "SanDisk");
  CHECK(stick->product == "Ultra");
  CHECK(stick->authorized);
  REQUIRE(stick->interfaces.size() == 1);
  const auto& storage = stick->interfaces[0];
  CHECK(storage.interface_class == 0x08);
  CHECK(storage.subclass == 0x06);
  CHECK(storage.protocol == 0x50);
  CHECK(storage.authorized);  // from sysfs: a configured device's interfaces are not guessed
  CHECK(stick->hasKind(UsbKind::kStorage));
}

TEST_CASE("USB-1: a stick with a built-in keyboard is both hid and storage") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  const auto* composite = device(facts.usb.value(), "1-1.3");
  REQUIRE(composite != nullptr);
  CHECK(composite->vidPid() == "1234:5678");
  CHECK(composite->serial == "BADUSB01");
  REQUIRE(composite->interfaces.size() == 2);
  CHECK(composite->interfaces[0].number == 0);
  CHECK(composite->interfaces[1].number == 1);
  CHECK(composite->hasKind(UsbKind::kHid));
  CHECK(composite->hasKind(UsbKind::kStorage));
}

TEST_CASE("USB-1: an interface the kernel deauthorised is reported unauthorised") {
  const TempRoot root{"hosts/debian12"};
  root.write("/sys/bus/usb/devices/1-1.3:1.1/authorized", "0\n");
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  const auto* composite = device(facts.usb.value(), "1-1.3");
  REQUIRE(composite != nullptr);
  REQUIRE(composite->interfaces.size() == 2);
  CHECK(composite->authorized);
  CHECK(composite->interfaces[0].authorized);
  CHECK_FALSE(composite->interfaces[1].authorized);
}

TEST_CASE("USB-1: an unauthorised stick is classified from its raw descriptors") {
  const TempRoot root{"hosts/debian12"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  const auto* blocked = device(facts.usb.value(), "2-1");
  REQUIRE(blocked != nullptr);
  CHECK_FALSE(blocked->authorized);
  CHECK(blocked->vidPid() == "0951:1666");
  CHECK(blocked->serial == "E0D55EA574C1F1A0");
  REQUIRE(blocked->interfaces.size() == 1);
  CHECK(blocked->interfaces[0].interface_class == 0x08);
  CHECK(blocked->interfaces[0].protocol == 0x50);
  CHECK_FALSE(blocked->interfaces[0].authorized);
  CHECK(blocked->hasKind(UsbKind::kStorage));
}

TEST_CASE("USB-4: an unauthorised device without readable descriptors has no interfaces") {
  const TempRoot root{"hosts/debian12"};
  root.remove("/sys/bus/usb/devices/2-1/descriptors");
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  const auto* blocked = device(facts.usb.value(), "2-1");
  REQUIRE(blocked != nullptr);
  CHECK_FALSE(blocked->authorized);
  CHECK(blocked->interfaces.empty());
}

TEST_CASE("USB-4: a PC whose kernel has no USB bus has a known, empty USB inventory") {
  const TempRoot root{"hosts/debian12-bare"};
  const auto facts = collect(root);
  REQUIRE_MESSAGE(facts.usb.known(), facts.usb.reason());
  CHECK(facts.usb->controllers.empty());
  CHECK(facts.usb->devices.empty());
}

TEST_CASE("USB-4: without sysfs the USB inventory is unknown, with the reason") {
  const TempRoot root{"hosts/debian12"};
  root.remove("/sys");
  const auto facts = collect(root);
  REQUIRE_FALSE(facts.usb.known());
  CHECK(facts.usb.reason().find("/sys") != std::string::npos);
}

}  // namespace
}  // namespace mamori::platform
