// Windows USB (USB-1, USB-2, USB-4): SetupAPI's device nodes decoded into the inventory the
// checks judge, and the policy's USB rules turned into Device Installation Restrictions.

#include "mamori/platform/windows_usb.hpp"

#include <doctest/doctest.h>

#include "mamori/policy/usb_decision.hpp"

namespace mamori::platform {
namespace {

using policy::UsbRule;

PnpDevice node(std::string id, std::string parent, std::vector<std::string> compatible,
               bool started, std::string description = {}) {
  PnpDevice n;
  n.instance_id = std::move(id);
  n.parent_id = std::move(parent);
  n.compatible_ids = std::move(compatible);
  n.started = started;
  n.description = std::move(description);
  return n;
}

const std::string kRootHub = "USB\\ROOT_HUB30\\4&2B4C3F1&0&0";

std::vector<std::string> massStorage() {
  return {"USB\\Class_08&SubClass_06&Prot_50", "USB\\Class_08&SubClass_06", "USB\\Class_08"};
}
std::vector<std::string> keyboard() {
  return {"USB\\Class_03&SubClass_01&Prot_01", "USB\\Class_03&SubClass_01", "USB\\Class_03"};
}
std::vector<std::string> composite() {
  return {"USB\\DevClass_00&SubClass_00&Prot_00", "USB\\DevClass_00&SubClass_00",
          "USB\\DevClass_00", "USB\\COMPOSITE"};
}

policy::UsbRules allowlistRules() {
  policy::UsbRules rules;
  rules.allowlist.push_back({0x0781, 0x5581, "4C530001230715117083", "総務課 USB-012", false});
  rules.allowlist.push_back({0x090C, 0x1000, "", "a model without serials", false});
  return rules;
}

TEST_CASE("USB-4: an instance id names vendor, product and the serial Windows put there") {
  const auto stick = parseUsbInstanceId("USB\\VID_0781&PID_5581\\4C530001230715117083");
  REQUIRE(stick);
  CHECK(stick->vendor_id == 0x0781);
  CHECK(stick->product_id == 0x5581);
  CHECK(stick->serial == "4C530001230715117083");
  CHECK_FALSE(stick->interface_number);

  // No serial: Windows makes an id up, always with `&`, and it is not the device's serial.
  const auto generated = parseUsbInstanceId("usb\\vid_046d&pid_c31c\\5&1F2A3B4C&0&2");
  REQUIRE(generated);
  CHECK(generated->vendor_id == 0x046D);
  CHECK(generated->serial.empty());

  const auto function = parseUsbInstanceId("USB\\VID_0781&PID_5581&MI_01\\7&2F0A9C1&0&0001");
  REQUIRE(function);
  CHECK(function->interface_number == 1);
  CHECK(function->serial.empty());
}

TEST_CASE("USB-4: root hubs and malformed ids are not devices") {
  CHECK_FALSE(parseUsbInstanceId(kRootHub));
  CHECK(isUsbRootHub(kRootHub));
  CHECK(isUsbRootHub("USB\\ROOT_HUB\\4&1&0"));
  CHECK_FALSE(isUsbRootHub("USB\\VID_0781&PID_5581\\1"));
  CHECK_FALSE(parseUsbInstanceId("USB\\VID_781&PID_5581\\1"));   // three digits
  CHECK_FALSE(parseUsbInstanceId("USB\\VID_0781\\1"));           // no product
  CHECK_FALSE(parseUsbInstanceId("USB\\VID_G781&PID_5581\\1"));  // not hex
  CHECK_FALSE(parseUsbInstanceId("USBSTOR\\Disk&Ven_SanDisk&Prod_Ultra\\4C53&0"));
  CHECK_FALSE(parseUsbInstanceId("PCI\\VEN_8086&DEV_A36D\\3&11583659&0&A0"));
}

TEST_CASE("USB-4: the most specific class id wins, for interfaces and for devices") {
  const auto storage = usbInterfaceClass(massStorage());
  REQUIRE(storage);
  CHECK(storage->class_code == 0x08);
  CHECK(storage->subclass == 0x06);
  CHECK(storage->protocol == 0x50);

  const std::vector<std::string> bluetooth{"USB\\Class_e0&SubClass_01", "USB\\Class_e0"};
  const auto radio = usbInterfaceClass(bluetooth);
  REQUIRE(radio);
  CHECK(radio->class_code == 0xE0);
  CHECK(radio->subclass == 0x01);
  CHECK(radio->protocol == 0);

  CHECK_FALSE(usbInterfaceClass(composite()));
  const auto device = usbDeviceClass(composite());
  REQUIRE(device);
  CHECK(device->class_code == 0);
  CHECK_FALSE(usbInterfaceClass(std::vector<std::string>{"USB\\Class_8", "USB\\Class_0806"}));
}

TEST_CASE("USB-1: allowlist mode denies each storage-like class and allows registered media") {
  const auto r = deviceInstallRestrictions(allowlistRules());
  CHECK(r.deny_device_ids == std::vector<std::string>{"USB\\Class_06", "USB\\Class_08"});
  // The entry without a serial could be any stick of its model: Windows is not told to allow it.
  CHECK(r.allow_instance_ids ==
        std::vector<std::string>{"USB\\VID_0781&PID_5581\\4C530001230715117083"});
  CHECK(deniesMassStorage(r));
}

TEST_CASE("USB-1: keyboards, hubs and smart-card readers are never denied, whatever is listed") {
  auto rules = allowlistRules();
  rules.blocked_kinds = {policy::UsbKind::kStorage, policy::UsbKind::kHid, policy::UsbKind::kHub,
                         policy::UsbKind::kSmartCard, policy::UsbKind::kAudio};
  const auto r = deviceInstallRestrictions(rules);
  CHECK(r.deny_device_ids == std::vector<std::string>{"USB\\Class_01", "USB\\Class_08"});
}

TEST_CASE("USB-1: audit mode denies nothing, block_all allows nothing") {
  auto rules = allowlistRules();
  rules.mode = policy::UsbMode::kAudit;
  const auto audit = deviceInstallRestrictions(rules);
  CHECK(audit.deny_device_ids.empty());
  CHECK(audit.allow_instance_ids.empty());
  CHECK_FALSE(deniesMassStorage(audit));

  rules.mode = policy::UsbMode::kBlockAll;
  const auto all = deviceInstallRestrictions(rules);
  CHECK(deniesMassStorage(all));
  CHECK(all.allow_instance_ids.empty());
}

TEST_CASE("USB-2: the inventory Windows shows is judged as Linux's would be") {
  const std::vector<PnpDevice> nodes{
      node(kRootHub, "PCI\\VEN_8086&DEV_A36D\\3&1&0&A0", {}, true),
      // The registered stick: allowed by instance id, so Windows installed it.
      node("USB\\VID_0781&PID_5581\\4C530001230715117083", kRootHub, massStorage(), true, "Ultra"),
      // An unregistered stick: Windows refused its driver (not started).
      node("USB\\VID_0951&PID_1666\\E0D55EA574DFF4B0", kRootHub, massStorage(), false,
           "DataTraveler 3.0"),
      // A stick with a keyboard inside: its storage function refused, the keyboard working.
      node("USB\\VID_1234&PID_5678\\0001", kRootHub, composite(), true, "Combo"),
      node("USB\\VID_1234&PID_5678&MI_01\\7&1&0&0001", "usb\\vid_1234&pid_5678\\0001", keyboard(),
           true),
      node("USB\\VID_1234&PID_5678&MI_00\\7&1&0&0000", "USB\\VID_1234&PID_5678\\0001",
           massStorage(), false),
  };
  auto with_location = nodes;
  with_location[1].location = "Port_#0002.Hub_#0001";
  with_location[1].manufacturer = "Compatible USB storage device";

  const auto inventory = windowsUsbInventory(with_location, true);
  REQUIRE(inventory.controllers.size() == 1);
  CHECK(inventory.controllers[0].name == kRootHub);
  CHECK(inventory.controllers[0].authorized_default == 0);
  REQUIRE(inventory.devices.size() == 3);

  const auto& registered = inventory.devices[0];
  CHECK(registered.port == "Port_#0002.Hub_#0001");
  CHECK(registered.vidPid() == "0781:5581");
  CHECK(registered.serial == "4C530001230715117083");
  CHECK(registered.product == "Ultra");
  CHECK(registered.manufacturer == "Compatible USB storage device");
  REQUIRE(registered.interfaces.size() == 1);
  CHECK(registered.interfaces[0].kind() == policy::UsbKind::kStorage);

  const auto& refused = inventory.devices[1];
  CHECK(refused.port == "USB\\VID_0951&PID_1666\\E0D55EA574DFF4B0");  // no location: the id
  CHECK_FALSE(refused.authorized);
  CHECK_FALSE(refused.interfaces[0].authorized);

  const auto& combo = inventory.devices[2];
  REQUIRE(combo.interfaces.size() == 2);
  CHECK(combo.interfaces[0].number == 0);
  CHECK(combo.interfaces[0].kind() == policy::UsbKind::kStorage);
  CHECK_FALSE(combo.interfaces[0].authorized);
  CHECK(combo.interfaces[1].kind() == policy::UsbKind::kHid);
  CHECK(combo.interfaces[1].authorized);

  const auto rules = allowlistRules();
  CHECK(policy::decideUsb(rules, registered).rule == UsbRule::kRegisteredMedium);
  CHECK(policy::decideUsb(rules, refused).rule == UsbRule::kBlockedKind);
  const auto combo_decision = policy::decideUsb(rules, combo);
  CHECK(combo_decision.authorize_device);
  CHECK_FALSE(combo_decision.interfaces[0].authorized);
  CHECK(combo_decision.interfaces[1].authorized);

  CHECK(windowsUsbInventory(nodes, false).controllers[0].authorized_default == 1);
}

std::vector<PnpDevice> comboStick(bool storage_running) {
  return {node("USB\\VID_1234&PID_5678\\0001", kRootHub, composite(), true, "Combo"),
          node("USB\\VID_1234&PID_5678&MI_00\\7&1&0&0000", "USB\\VID_1234&PID_5678\\0001",
               massStorage(), storage_running),
          node("USB\\VID_1234&PID_5678&MI_01\\7&1&0&0001", "USB\\VID_1234&PID_5678\\0001",
               keyboard(), true)};
}

TEST_CASE("USB-2: a running storage function of an unregistered stick is disabled, and only it") {
  const auto rules = allowlistRules();
  // Installed before mamori's restrictions were in force: the storage function runs.
  const auto bus = windowsUsbBus(comboStick(true));
  REQUIRE(bus.devices.size() == 1);
  const auto& combo = bus.devices[0];
  CHECK(combo.interface_nodes ==
        std::vector<std::string>{"USB\\VID_1234&PID_5678&MI_00\\7&1&0&0000",
                                 "USB\\VID_1234&PID_5678&MI_01\\7&1&0&0001"});
  const auto decision = policy::decideUsb(rules, combo.device);
  CHECK(usbNodeChanges(combo, decision, {}) ==
        std::vector<UsbNodeChange>{{"USB\\VID_1234&PID_5678&MI_00\\7&1&0&0000", false}});

  // Refused by Windows (never started): nothing to do.
  const auto refused = windowsUsbBus(comboStick(false)).devices[0];
  CHECK(usbNodeChanges(refused, decision, {}).empty());
}

TEST_CASE("USB-2: a single-function stick is disabled as a whole, and enabled once registered") {
  const std::vector<PnpDevice> nodes{
      node("USB\\VID_0951&PID_1666\\E0D55EA574DFF4B0", kRootHub, massStorage(), true)};
  auto rules = allowlistRules();
  const auto stick = windowsUsbBus(nodes).devices[0];
  CHECK(stick.interface_nodes == std::vector<std::string>{stick.instance_id});
  CHECK(usbNodeChanges(stick, policy::decideUsb(rules, stick.device), {}) ==
        std::vector<UsbNodeChange>{{stick.instance_id, false}});

  // Now disabled by mamori, then registered: enabled again. Disabled by someone else: left.
  auto disabled_nodes = nodes;
  disabled_nodes[0].started = false;
  const auto disabled = windowsUsbBus(disabled_nodes).devices[0];
  rules.allowlist.push_back({0x0951, 0x1666, "E0D55EA574DFF4B0", "会計課 USB-003", false});
  const auto registered = policy::decideUsb(rules, disabled.device);
  CHECK(registered.rule == UsbRule::kRegisteredMedium);
  const std::vector<std::string> ours{"usb\\vid_0951&pid_1666\\e0d55ea574dff4b0"};
  CHECK(usbNodeChanges(disabled, registered, ours) ==
        std::vector<UsbNodeChange>{{stick.instance_id, true}});
  CHECK(usbNodeChanges(disabled, registered, {}).empty());
}

TEST_CASE("USB-1: a composite device whose functions are not listed yet is never disabled") {
  // Just plugged (or claimed whole by a vendor driver): no MI_xx children, so nothing is known
  // of what it does; it might be a keyboard.
  const std::vector<PnpDevice> nodes{
      node("USB\\VID_1234&PID_5678\\0001", kRootHub, composite(), true, "Combo")};
  const auto device = windowsUsbBus(nodes).devices[0];
  CHECK(device.device.interfaces.empty());
  const auto decision = policy::decideUsb(allowlistRules(), device.device);
  CHECK(decision.rule == UsbRule::kUnclassified);
  CHECK_FALSE(decision.authorize_device);
  CHECK(usbNodeChanges(device, decision, {}).empty());
}

TEST_CASE("USB-1: a keyboard is never touched") {
  const std::vector<PnpDevice> nodes{
      node("USB\\VID_046D&PID_C31C\\5&1F2A3B4C&0&2", kRootHub, keyboard(), true)};
  const auto keyboard_device = windowsUsbBus(nodes).devices[0];
  auto rules = allowlistRules();
  rules.mode = policy::UsbMode::kBlockAll;
  CHECK(usbNodeChanges(keyboard_device, policy::decideUsb(rules, keyboard_device.device), {})
            .empty());
}

TEST_CASE("USB-2: a read-only medium's disks are found below it, and only USB disks count") {
  const std::string stick = "USB\\VID_0951&PID_1666\\E0D55EA574DFF4B0";
  const std::string other = "USB\\VID_0781&PID_5581\\4C530001230715117083";
  PnpDisk direct;  // a Bulk-Only stick: USBSTOR's disk right below the device
  direct.instance_id = "USBSTOR\\DISK&VEN_KINGSTON&PROD_DT\\E0D55EA574DFF4B0&0";
  direct.ancestors = {"usb\\vid_0951&pid_1666\\e0d55ea574dff4b0", kRootHub, "ROOT\\PCI"};
  PnpDisk function;  // a composite device's storage function, then the device
  function.instance_id = "USBSTOR\\DISK&VEN_KINGSTON&PROD_DT\\E0D55EA574DFF4B0&1";
  function.ancestors = {"USB\\VID_0951&PID_1666&MI_00\\7&2F0A9C1&0&0000", stick, kRootHub};
  PnpDisk elsewhere;
  elsewhere.instance_id = "USBSTOR\\DISK&VEN_SANDISK&PROD_ULTRA\\4C530001230715117083&0";
  elsewhere.ancestors = {other, kRootHub};
  PnpDisk system;  // the NVMe system disk
  system.instance_id = "SCSI\\DISK&VEN_NVME&PROD_SAMSUNG\\5&1A2B3C&0&000000";
  system.ancestors = {"PCI\\VEN_144D&DEV_A808\\4&2B&0&00E8", "ACPI\\PNP0A08\\0"};
  const std::vector<PnpDisk> disks{direct, function, elsewhere, system};

  const auto found = disksOfUsbDevice(disks, stick);
  REQUIRE(found.size() == 2);
  CHECK(found[0].instance_id == direct.instance_id);  // matched ignoring case
  CHECK(found[1].instance_id == function.instance_id);
  CHECK(disksOfUsbDevice(disks, "USB\\VID_1234&PID_5678\\0001").empty());
  CHECK(isUsbDisk(direct));
  CHECK(isUsbDisk(function));
  CHECK_FALSE(isUsbDisk(system));
}

}  // namespace
}  // namespace mamori::platform
