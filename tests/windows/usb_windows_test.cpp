// Windows USB under wine: the Device Installation Restrictions written into and read back from
// wine's registry through the production code, SetupAPI's listing of the USB bus, and the
// guard that keeps mamori's hands off anything but USB device nodes.

#include <doctest/doctest.h>

#include "device_install_policy.hpp"
#include "mamori/platform/usb_inventory.hpp"
#include "registry.hpp"
#include "usb_devices.hpp"

namespace mamori::platform::windows {
namespace {

policy::UsbRules allowlistRules() {
  policy::UsbRules rules;
  rules.allowlist.push_back({0x0781, 0x5581, "4C530001230715117083", "総務課 USB-012", false});
  rules.allowlist.push_back({0x0951, 0x1666, "E0D55EA574DFF4B0", "会計課 USB-003", true});
  return rules;
}

// Removes the restrictions a test wrote, so later tests (and later runs) start without any.
struct RestrictionsCleanup {
  ~RestrictionsCleanup() {
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, LR"(SOFTWARE\Policies\Microsoft\Windows\DeviceInstall)");
  }
};

std::optional<std::uint32_t> restrictionsDword(std::string_view name) {
  const auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, kDeviceInstallRestrictionsKey);
  return key ? key->dword(name) : std::nullopt;
}

TEST_CASE("USB-1: the restrictions mamori writes are what Windows reads, and never retroactive") {
  const RestrictionsCleanup cleanup;
  const auto none = readDeviceInstallRestrictions();
  REQUIRE(none);
  CHECK(none->deny_device_ids.empty());
  CHECK_FALSE(deniesMassStorage(*none));

  const auto wanted = deviceInstallRestrictions(allowlistRules());
  REQUIRE(writeDeviceInstallRestrictions(wanted));
  const auto read = readDeviceInstallRestrictions();
  REQUIRE(read);
  CHECK(*read == wanted);
  CHECK(deniesMassStorage(*read));
  CHECK(restrictionsDword("DenyDeviceIDs") == 1u);
  CHECK(restrictionsDword("DenyDeviceIDsRetroactive") == 0u);
  CHECK(restrictionsDword("AllowDenyLayered") == 1u);
  CHECK(restrictionsDword("AllowInstanceIDs") == 1u);
  const auto allow_list = RegistryKey::open(
      HKEY_LOCAL_MACHINE, std::string(kDeviceInstallRestrictionsKey) + R"(\AllowInstanceIDs)");
  REQUIRE(allow_list);
  CHECK(allow_list->string("2") == R"(USB\VID_0951&PID_1666\E0D55EA574DFF4B0)");
}

TEST_CASE(
    "USB-1: a shorter list leaves no stale entry, and audit mode switches the deny list off") {
  const RestrictionsCleanup cleanup;
  REQUIRE(writeDeviceInstallRestrictions(deviceInstallRestrictions(allowlistRules())));

  auto rules = allowlistRules();
  rules.mode = policy::UsbMode::kBlockAll;
  REQUIRE(writeDeviceInstallRestrictions(deviceInstallRestrictions(rules)));
  auto read = readDeviceInstallRestrictions();
  REQUIRE(read);
  CHECK(read->allow_instance_ids.empty());
  CHECK(restrictionsDword("AllowInstanceIDs") == 0u);
  const auto allow_list = RegistryKey::open(
      HKEY_LOCAL_MACHINE, std::string(kDeviceInstallRestrictionsKey) + R"(\AllowInstanceIDs)");
  REQUIRE(allow_list);
  CHECK_FALSE(allow_list->has("1"));
  CHECK(deniesMassStorage(*read));

  rules.mode = policy::UsbMode::kAudit;
  REQUIRE(writeDeviceInstallRestrictions(deviceInstallRestrictions(rules)));
  read = readDeviceInstallRestrictions();
  REQUIRE(read);
  CHECK(read->deny_device_ids.empty());
  CHECK(restrictionsDword("DenyDeviceIDs") == 0u);
}

TEST_CASE("USB-4: SetupAPI lists wine's USB bus, and the inventory follows the restrictions") {
  const RestrictionsCleanup cleanup;
  const auto nodes = readUsbDeviceNodes();
  REQUIRE_MESSAGE(nodes, nodes.error());
  for (const auto& node : *nodes) CHECK(node.instance_id.starts_with("USB\\"));

  REQUIRE(writeDeviceInstallRestrictions(deviceInstallRestrictions(allowlistRules())));
  const auto inventory = readUsbInventory();
  REQUIRE_MESSAGE(inventory.known(), inventory.reason());
  for (const auto& controller : inventory->controllers) CHECK(controller.authorized_default == 0);
  MESSAGE("wine's USB bus: ", nodes->size(), " device nodes, ", inventory->controllers.size(),
          " root hubs, ", inventory->devices.size(), " devices");
}

TEST_CASE("USB-1: mamori refuses to disable anything but a USB device node") {
  for (const auto* id :
       {R"(PCI\VEN_8086&DEV_A36D\3&11583659&0&A0)",
        R"(SCSI\Disk&Ven_NVMe&Prod_Samsung\4&1&0&000000)",
        R"(USBSTOR\Disk&Ven_SanDisk&Prod_Ultra\4C53&0)", R"(USB\ROOT_HUB30\4&1&0)"}) {
    const auto changed = setUsbFunctionEnabled(id, false);
    REQUIRE_FALSE(changed);
    CHECK(changed.error().find("not a USB device or function") != std::string::npos);
  }
  // A USB id Windows does not know: SetupAPI's own error, named.
  const auto missing = setUsbFunctionEnabled(R"(USB\VID_0781&PID_5581\NO-SUCH-STICK)", false);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().starts_with(R"(cannot open USB\VID_0781&PID_5581\NO-SUCH-STICK: )"));
}

}  // namespace
}  // namespace mamori::platform::windows
