// Kernel uevent messages, as the USB enforcer receives them on the netlink socket (USB-1):
// decoded from bytes, with what the kernel really sends and what it never should.

#include "mamori/platform/uevent.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace mamori::platform {
namespace {

using namespace std::string_literals;

// Shaped as lib/kobject_uevent.c sends it: `ACTION@DEVPATH`, then the variables, each ended by
// NUL. Here QEMU's usb-storage (46f4:0001) on an xHCI port.
const std::string kStickAdded =
    "add@/devices/pci0000:00/0000:00:04.0/usb2/2-1\0"
    "ACTION=add\0"
    "DEVPATH=/devices/pci0000:00/0000:00:04.0/usb2/2-1\0"
    "SUBSYSTEM=usb\0"
    "MAJOR=189\0"
    "MINOR=129\0"
    "DEVNAME=bus/usb/002/002\0"
    "DEVTYPE=usb_device\0"
    "PRODUCT=46f4/1/0\0"
    "TYPE=0/0/0\0"
    "BUSNUM=002\0"
    "DEVNUM=002\0"
    "SEQNUM=2215\0"s;

const std::string kPartitionAdded =
    "add@/devices/pci0000:00/0000:00:04.0/usb2/2-1/2-1:1.0/host0/target0:0:0/0:0:0:0/block/sda/"
    "sda1\0"
    "ACTION=add\0"
    "DEVPATH=/devices/pci0000:00/0000:00:04.0/usb2/2-1/2-1:1.0/host0/target0:0:0/0:0:0:0/block/"
    "sda/sda1\0"
    "SUBSYSTEM=block\0"
    "MAJOR=8\0"
    "MINOR=1\0"
    "DEVNAME=sda1\0"
    "DEVTYPE=partition\0"
    "PARTN=1\0"
    "SEQNUM=2231\0"s;

std::string error(std::string_view datagram) {
  const auto e = parseUevent(datagram);
  REQUIRE_FALSE(e.has_value());
  return e.error();
}

TEST_CASE("USB-1: a plugged stick's uevent gives action, path, subsystem, type and sequence") {
  const auto e = parseUevent(kStickAdded);
  REQUIRE_MESSAGE(e.has_value(), e.error());
  CHECK(e->action == "add");
  CHECK(e->devpath == "/devices/pci0000:00/0000:00:04.0/usb2/2-1");
  CHECK(e->subsystem == "usb");
  CHECK(e->devtype == "usb_device");
  CHECK(e->devname == "bus/usb/002/002");
  CHECK(e->seqnum == 2215);
}

TEST_CASE("USB-2: a partition's uevent names its block device and the stick it lies on") {
  const auto e = parseUevent(kPartitionAdded);
  REQUIRE_MESSAGE(e.has_value(), e.error());
  CHECK(e->subsystem == "block");
  CHECK(e->devtype == "partition");
  CHECK(e->devname == "sda1");
  CHECK(kernelName(e->devpath) == "sda1");
  CHECK(usbDeviceOfDevpath(e->devpath) == "2-1");
}

TEST_CASE("USB-1: an event without a device type or a final NUL still decodes") {
  const auto e = parseUevent(
      "remove@/module/usb_storage\0ACTION=remove\0"
      "DEVPATH=/module/usb_storage\0SUBSYSTEM=module\0SEQNUM=7"s);
  REQUIRE_MESSAGE(e.has_value(), e.error());
  CHECK(e->action == "remove");
  CHECK(e->devtype.empty());
  CHECK(e->devname.empty());
  CHECK(e->seqnum == 7);
}

TEST_CASE("USB-1: udev's re-broadcasts are refused, only the kernel's events count") {
  // udev's messages start with "libudev\0", a binary header and then properties.
  CHECK(error("libudev\0\xfe\xed\xca\xfe\x28\0\0\0ACTION=add\0DEVPATH=/devices/x\0"
              "SUBSYSTEM=usb\0SEQNUM=1\0"s) == "a udev message, not the kernel's");
}

TEST_CASE("USB-1: malformed messages are refused with the reason, never half-read") {
  CHECK(error("") == "no ACTION@DEVPATH header");
  CHECK(error("add@/devices/x") == "no ACTION@DEVPATH header");  // no NUL at all
  CHECK(error("add /devices/x\0ACTION=add\0"s) == "no ACTION@DEVPATH header");
  CHECK(error("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0SUBSYSTEM=usb\0"s) == "no SEQNUM");
  CHECK(error("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0SEQNUM=1\0"s) ==
        "ACTION, DEVPATH or SUBSYSTEM missing");
  CHECK(error("add@/devices/x\0ACTION=add\0DEVPATH=/devices/y\0SUBSYSTEM=usb\0SEQNUM=1\0"s) ==
        R"(header "add@/devices/x" disagrees with ACTION@DEVPATH)");
  CHECK(error("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0SUBSYSTEM=usb\0SEQNUM=1a\0"s) ==
        R"(SEQNUM "1a" is not a number)");
  CHECK(error("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0SUBSYSTEM=usb\0SEQNUM=\0"s) ==
        R"(SEQNUM "" is not a number)");
  CHECK(error("add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0SUBSYSTEM=usb\0"
              "SEQNUM=99999999999999999999999\0"s) ==
        R"(SEQNUM "99999999999999999999999" is not a number)");
  CHECK(error("add@/devices/x\0ACTION=add\0garbage\0SEQNUM=1\0"s) ==
        R"(variable without a name or a '=': "garbage")");
  CHECK(error("add@/devices/x\0=add\0SEQNUM=1\0"s) ==
        R"(variable without a name or a '=': "=add")");
  CHECK(error("add@/devices/x\0ACTION=add\0\0DEVPATH=/devices/x\0"s) ==
        "empty variable in the middle of the message");
  CHECK(error("add@/devices/x\0ACTION=add\0SUBSYSTEM=usb\0SUBSYSTEM=block\0SEQNUM=1\0"s) ==
        "SUBSYSTEM appears twice");
  CHECK(error("add@/devices/x\0ACTION=add\0SEQNUM=1\0SEQNUM=2\0"s) == "SEQNUM appears twice");
}

TEST_CASE("USB-1: trailing padding after the last variable is accepted") {
  const auto e = parseUevent(
      "add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0"
      "SUBSYSTEM=usb\0SEQNUM=3\0\0\0"s);
  REQUIRE_MESSAGE(e.has_value(), e.error());
  CHECK(e->seqnum == 3);
}

TEST_CASE("USB-1: kernel names tell root hubs, devices and interfaces apart") {
  CHECK(isRootHubName("usb1"));
  CHECK(isRootHubName("usb12"));
  CHECK_FALSE(isRootHubName("usb"));
  CHECK_FALSE(isRootHubName("usb1x"));
  CHECK_FALSE(isRootHubName("usb-storage"));
  CHECK(isUsbDeviceName("1-1"));
  CHECK(isUsbDeviceName("2-1.4.3"));
  CHECK(isUsbDeviceName("10-12"));
  CHECK_FALSE(isUsbDeviceName("usb1"));
  CHECK_FALSE(isUsbDeviceName("1-1:1.0"));
  CHECK_FALSE(isUsbDeviceName("1-"));
  CHECK_FALSE(isUsbDeviceName("1-1."));
  CHECK_FALSE(isUsbDeviceName("-1"));
  CHECK_FALSE(isUsbDeviceName("1-1..2"));
  CHECK(kernelName("/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0") == "1-1:1.0");
  CHECK(kernelName("sdb") == "sdb");
}

TEST_CASE("USB-2: a disk behind a hub belongs to the stick, not the hub") {
  CHECK(usbDeviceOfDevpath("/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.2/1-1.2:1.0/host3/"
                           "target3:0:0/3:0:0:0/block/sdc") == "1-1.2");
  // Not on USB: a SATA disk, and an i2c client whose name looks like a USB device.
  CHECK_FALSE(usbDeviceOfDevpath("/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/"
                                 "0:0:0:0/block/sda")
                  .has_value());
  CHECK_FALSE(usbDeviceOfDevpath("/devices/pci0000:00/0000:00:15.0/i2c_designware.0/i2c-0/0-0050")
                  .has_value());
  CHECK_FALSE(usbDeviceOfDevpath("").has_value());
}

}  // namespace
}  // namespace mamori::platform
