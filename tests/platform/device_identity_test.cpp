// The hardware identity the Linux probe reads from sysfs (第86条: the device is bound to its
// SMBIOS UUID and MAC addresses), on fixture trees laid out as the kernel lays out sysfs.

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fake_command_runner.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/time.hpp"
#include "temp_root.hpp"

namespace mamori::platform {
namespace {

namespace fs = std::filesystem;
using testing::TempRoot;
using Macs = std::vector<std::string>;

policy::DeviceIdentity identity(const TempRoot& root) {
  auto probe = makePostureProbe({root.path(), std::make_unique<fake::FakeCommandRunner>()});
  return probe->collect(*policy::parseTimestamp("2026-11-22T09:00:00Z")).device;
}

struct Interface {
  std::string name;
  std::string address;
  std::string device_path;  // below /sys/devices; empty for a virtual interface
  std::string type = "1";
};

// As on a live system: /sys/class/net/<name> is a link into /sys/devices, and a physical
// interface's `device` is a link to the PCI or USB device it sits on.
void addInterface(const TempRoot& root, const Interface& nic) {
  const std::string parent =
      nic.device_path.empty() ? "/sys/devices/virtual" : "/sys/devices/" + nic.device_path;
  const std::string dir = parent + "/net/" + nic.name;
  root.write(dir + "/address", nic.address + "\n");
  root.write(dir + "/type", nic.type + "\n");
  root.write(dir + "/addr_assign_type", "0\n");
  fs::create_directories(root.path() / "sys/class/net");
  fs::create_directory_symlink("../../devices/" + dir.substr(std::string("/sys/devices/").size()),
                               root.path() / ("sys/class/net/" + nic.name));
  if (!nic.device_path.empty()) {
    fs::create_directory_symlink(
        "../../../" + nic.device_path.substr(nic.device_path.rfind('/') + 1),
        root.path() / ("sys/" + dir.substr(5) + "/device"));
  }
}

TEST_CASE("a physical Ethernet port's MAC address identifies the device") {
  const TempRoot root;
  addInterface(root, {"enp0s31f6", "8c:16:45:12:34:56", "pci0000:00/0000:00:1f.6"});
  CHECK(identity(root).macs == Macs{"8c:16:45:12:34:56"});
}

TEST_CASE("loopback, veth, bridge and docker interfaces are not part of the identity") {
  const TempRoot root;
  addInterface(root, {"lo", "00:00:00:00:00:00", "", "772"});
  addInterface(root, {"docker0", "02:42:ac:11:00:01", ""});
  addInterface(root, {"br0", "52:54:00:aa:bb:cc", ""});
  addInterface(root, {"veth1a2b3c", "ea:11:22:33:44:55", ""});
  addInterface(root, {"wlp2s0", "a0:b1:c2:d3:e4:f5", "pci0000:00/0000:00:1c.0/0000:02:00.0"});
  CHECK(identity(root).macs == Macs{"a0:b1:c2:d3:e4:f5"});
}

TEST_CASE("MAC addresses are lower case, sorted and listed once") {
  const TempRoot root;
  addInterface(root, {"eth1", "AA:BB:CC:00:11:22", "pci0000:00/0000:00:1c.1"});
  addInterface(root, {"eth0", "0C:C4:7A:01:02:03", "pci0000:00/0000:00:1c.0"});
  addInterface(root, {"eth2", "aa:bb:cc:00:11:22", "pci0000:00/0000:00:1c.2"});
  CHECK(identity(root).macs == Macs{"0c:c4:7a:01:02:03", "aa:bb:cc:00:11:22"});
}

TEST_CASE("a bonding slave is identified by its permanent address, not the bond's") {
  const TempRoot root;
  addInterface(root, {"eno1", "3c:ec:ef:00:00:01", "pci0000:00/0000:00:1f.6"});
  addInterface(root, {"eno2", "3c:ec:ef:00:00:01", "pci0000:00/0000:00:1f.7"});
  addInterface(root, {"bond0", "3c:ec:ef:00:00:01", ""});
  root.write("/sys/devices/pci0000:00/0000:00:1f.7/net/eno2/bonding_slave/perm_hwaddr",
             "3C:EC:EF:00:00:02\n");
  CHECK(identity(root).macs == Macs{"3c:ec:ef:00:00:01", "3c:ec:ef:00:00:02"});
}

TEST_CASE("all-zero, non-Ethernet and kernel-randomised addresses are left out") {
  const TempRoot root;
  addInterface(root, {"eth0", "00:00:00:00:00:00", "pci0000:00/0000:00:1c.0"});
  addInterface(root, {"ib0", "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0e:ef:01",
                      "pci0000:00/0000:00:1c.1", "32"});
  addInterface(root, {"eth1", "7e:2a:9f:10:20:30", "pci0000:00/0000:00:1c.2"});
  root.write("/sys/devices/pci0000:00/0000:00:1c.2/net/eth1/addr_assign_type", "1\n");
  CHECK(identity(root).macs.empty());
}

TEST_CASE("no /sys/class/net means no MAC addresses, not a failure") {
  const TempRoot root;
  root.write("/etc/hostname", "pc-0042\n");
  const auto device = identity(root);
  CHECK(device.hostname == "pc-0042");
  CHECK(device.macs.empty());
}

TEST_CASE("the SMBIOS UUID is read from product_uuid in lower case") {
  const TempRoot root;
  root.write("/sys/class/dmi/id/product_uuid", "4C4C4544-0042-3510-8052-B4C04F4E3732\n");
  CHECK(identity(root).smbios_uuid == "4c4c4544-0042-3510-8052-b4c04f4e3732");
}

TEST_CASE("a missing product_uuid (read as non-root) leaves the SMBIOS UUID empty") {
  const TempRoot root;
  root.write("/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  const auto device = identity(root);
  CHECK(device.smbios_uuid.empty());
  CHECK(device.machine_id == "0123456789abcdef0123456789abcdef");
}

TEST_CASE("firmware placeholders and garbage in product_uuid leave the SMBIOS UUID empty") {
  const TempRoot root;
  for (const char* value : {"00000000-0000-0000-0000-000000000000",
                            "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "Not Settable", ""}) {
    root.write("/sys/class/dmi/id/product_uuid", std::string(value) + "\n");
    CHECK_MESSAGE(identity(root).smbios_uuid.empty(), value);
  }
}

}  // namespace
}  // namespace mamori::platform
