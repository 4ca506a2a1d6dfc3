// Windows USB under wine: the Device Installation Restrictions written into and read back from
// wine's registry through the production code, SetupAPI's listing of the USB bus, the guard that
// keeps mamori's hands off anything but USB device nodes and USB disks, and the enforcer, whose
// devices and disks come from a fake bus (wine's is empty) while its registry, event and thread
// are wine's.

#include <doctest/doctest.h>

#include <mutex>
#include <thread>

#include "device_install_policy.hpp"
#include "disk_devices.hpp"
#include "fake_clock.hpp"
#include "fake_pnp_bus.hpp"
#include "mamori/platform/usb_enforcer.hpp"
#include "mamori/platform/usb_inventory.hpp"
#include "registry.hpp"
#include "usb_devices.hpp"
#include "windows_usb_enforcer.hpp"

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
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, LR"(SOFTWARE\mamori\Agent\UsbDisabled)");
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

TEST_CASE("USB-2: SetupAPI lists wine's disks, and mamori makes only a USB disk read-only") {
  const auto disks = readDisks();
  REQUIRE_MESSAGE(disks, (disks ? "" : disks.error()));
  for (const auto& disk : *disks) CHECK_FALSE(disk.path.empty());
  MESSAGE("wine lists " << disks->size() << " disk(s), " << std::ranges::count_if(*disks, isUsbDisk)
                        << " of them below a USB device");

  PnpDisk internal;  // the system disk: never below a USB device
  internal.instance_id = R"(SCSI\DISK&VEN_NVME&PROD_SAMSUNG\5&1A2B3C&0&000000)";
  internal.path = R"(\\.\PhysicalDrive0)";
  internal.ancestors = {R"(PCI\VEN_144D&DEV_A808\4&2B&0&00E8)"};
  const auto refused = setDiskReadOnly(internal);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("not the disk of a USB device") != std::string::npos);

  PnpDisk gone;  // a USB disk unplugged meanwhile: Windows' own error, named
  gone.instance_id = R"(USBSTOR\DISK&VEN_KINGSTON&PROD_DT\E0D55EA574DFF4B0&0)";
  gone.path =
      R"(\\?\usbstor#disk&ven_kingston&prod_dt#e0d55ea574dff4b0&0#{53f56307-b6bf-11d0-94f2-00a0c91efb8b})";
  gone.ancestors = {R"(USB\VID_0951&PID_1666\E0D55EA574DFF4B0)"};
  const auto missing = setDiskReadOnly(gone);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().starts_with("cannot open the disk " + gone.instance_id + ": "));
}

// Decisions arrive on run()'s thread while the test reads them on its own.
struct RecordedEvents final : UsbEnforcerEvents {
  void onDecision(const UsbDecisionRecord& record) override {
    const std::scoped_lock guard(mutex);
    decisions.push_back(record);
  }
  void onReadOnly(const UsbReadOnlyRecord& record) override {
    const std::scoped_lock guard(mutex);
    read_only.push_back(record);
  }
  void onError(const Error& error) override {
    const std::scoped_lock guard(mutex);
    errors.push_back(error.message);
  }
  std::size_t decisionCount() {
    const std::scoped_lock guard(mutex);
    return decisions.size();
  }
  std::mutex mutex;
  std::vector<UsbDecisionRecord> decisions;
  std::vector<UsbReadOnlyRecord> read_only;
  std::vector<std::string> errors;
};

const std::string kRootHub = R"(USB\ROOT_HUB30\4&2B4C3F1&0&0)";
const std::string kUnregistered = R"(USB\VID_0951&PID_1666\FFFF0000AAAA)";
const std::string kRegistered = R"(USB\VID_0781&PID_5581\4C530001230715117083)";
const std::string kReadOnly = R"(USB\VID_0951&PID_1666\E0D55EA574DFF4B0)";

PnpDevice stick(std::string id, bool started) {
  PnpDevice n;
  n.instance_id = std::move(id);
  n.parent_id = kRootHub;
  n.compatible_ids = {R"(USB\Class_08&SubClass_06&Prot_50)", R"(USB\Class_08)"};
  n.started = started;
  return n;
}

// A bus as a PC has it after mamori was installed on it: a stick installed earlier (running),
// the registered media, a keyboard, and a composite device whose functions are not listed yet.
std::vector<PnpDevice> usedPc() {
  PnpDevice hub;
  hub.instance_id = kRootHub;
  hub.started = true;
  PnpDevice keyboard;
  keyboard.instance_id = R"(USB\VID_046D&PID_C31C\5&1F2A3B4C&0&2)";
  keyboard.parent_id = kRootHub;
  keyboard.compatible_ids = {R"(USB\Class_03&SubClass_01&Prot_01)"};
  keyboard.started = true;
  PnpDevice composite;
  composite.instance_id = R"(USB\VID_1234&PID_5678\0001)";
  composite.parent_id = kRootHub;
  composite.compatible_ids = {R"(USB\DevClass_00)", R"(USB\COMPOSITE)"};
  composite.started = true;
  return {hub,
          stick(kUnregistered, true),
          stick(kRegistered, true),
          stick(kReadOnly, true),
          keyboard,
          composite};
}

std::unique_ptr<WindowsUsbEnforcer> enforcerOn(fake::FakePnpBus& bus, const Clock& clock,
                                               UsbEnforcerEvents& events) {
  WindowsUsbEnforcerParts parts;
  parts.read_nodes = bus.reader();
  parts.set_enabled = bus.switcher();
  parts.read_disks = bus.diskReader();
  parts.set_disk_read_only = bus.readOnlySwitch();
  parts.clock = &clock;
  parts.rescan_interval = std::chrono::hours{1};  // only the events the test sends
  return makeWindowsUsbEnforcer(std::move(parts), events);
}

bool disabledNoteFor(const std::string& id) {
  const auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, R"(SOFTWARE\mamori\Agent\UsbDisabled)");
  return key && key->has(id);
}

const UsbDecisionRecord* recordOf(const RecordedEvents& events, const std::string& serial) {
  for (const auto& r : events.decisions) {
    if (r.device.serial == serial) return &r;
  }
  return nullptr;
}

TEST_CASE("USB-2: apply() disables the running unregistered stick, and only it, with a note") {
  const RestrictionsCleanup cleanup;
  fake::FakePnpBus bus;
  bus.nodes = usedPc();
  const fake::FakeClock clock(policy::TimePoint{});
  RecordedEvents events;
  const auto enforcer = enforcerOn(bus, clock, events);
  REQUIRE(enforcer->apply({allowlistRules(), 7}));
  CHECK(*readDeviceInstallRestrictions() == deviceInstallRestrictions(allowlistRules()));

  // The keyboard and the three sticks; the composite device waits until Windows lists its
  // functions (until then the restrictions hold its storage back).
  CHECK(events.decisions.size() == 4);
  CHECK(bus.changes == std::vector<std::pair<std::string, bool>>{{kUnregistered, false}});
  CHECK(disabledNoteFor(kUnregistered));
  const auto* blocked = recordOf(events, "FFFF0000AAAA");
  REQUIRE(blocked);
  CHECK(blocked->decision.rule == policy::UsbRule::kBlockedKind);
  CHECK(blocked->changed);
  CHECK(blocked->cause == UsbDecisionCause::kPolicyApplied);
  CHECK(blocked->policy_version == 7);
  CHECK_FALSE(blocked->decision_latency);
  const auto* registered = recordOf(events, "4C530001230715117083");
  REQUIRE(registered);
  CHECK(registered->decision.rule == policy::UsbRule::kRegisteredMedium);
  CHECK_FALSE(registered->changed);
  // The read-only medium has no disk yet (the fake bus has none): nothing to make read-only.
  CHECK(events.read_only.empty());
  CHECK(events.errors.empty());

  // Registered later: enabled again, and the note goes.
  auto rules = allowlistRules();
  rules.allowlist.push_back({0x0951, 0x1666, "FFFF0000AAAA", "総務課 USB-020", false});
  REQUIRE(enforcer->apply({rules, 8}));
  CHECK(bus.changes.back() == std::pair<std::string, bool>{kUnregistered, true});
  CHECK_FALSE(disabledNoteFor(kUnregistered));
}

TEST_CASE("USB-2: a stick an administrator disabled is not enabled by mamori") {
  const RestrictionsCleanup cleanup;
  fake::FakePnpBus bus;
  bus.nodes = usedPc();
  bus.nodes[1].started = false;  // disabled, but not by mamori: no note
  const fake::FakeClock clock(policy::TimePoint{});
  RecordedEvents events;
  const auto enforcer = enforcerOn(bus, clock, events);
  auto rules = allowlistRules();
  rules.allowlist.push_back({0x0951, 0x1666, "FFFF0000AAAA", "総務課 USB-020", false});
  REQUIRE(enforcer->apply({rules, 1}));
  CHECK(bus.changes.empty());
}

TEST_CASE("USB-2: a disable Windows refuses is in the record, and leaves no note behind") {
  const RestrictionsCleanup cleanup;
  fake::FakePnpBus bus;
  bus.nodes = usedPc();
  bus.refuse = "Access is denied.";
  const fake::FakeClock clock(policy::TimePoint{});
  RecordedEvents events;
  const auto enforcer = enforcerOn(bus, clock, events);
  REQUIRE(enforcer->apply({allowlistRules(), 1}));
  const auto* blocked = recordOf(events, "FFFF0000AAAA");
  REQUIRE(blocked);
  CHECK_FALSE(blocked->changed);
  CHECK(blocked->error == "Access is denied.");
  CHECK_FALSE(disabledNoteFor(kUnregistered));
}

PnpDisk diskOf(const std::string& device, std::string serial) {
  PnpDisk disk;
  disk.instance_id = R"(USBSTOR\DISK&VEN_GENERIC&PROD_FLASH\)" + serial + "&0";
  disk.path = R"(\\?\usbstor#disk&ven_generic&prod_flash#)" + serial + "&0#{53f56307}";
  disk.ancestors = {device, kRootHub};
  return disk;
}

TEST_CASE("USB-2: a read-only medium's disk is made read-only as it appears, and only once") {
  const RestrictionsCleanup cleanup;
  fake::FakePnpBus bus;
  bus.nodes = usedPc();
  // The read-write medium's disk is there already; the read-only one's comes later.
  bus.disks = {diskOf(kRegistered, "4C530001230715117083")};
  const fake::FakeClock clock(policy::TimePoint{});
  RecordedEvents events;
  const auto enforcer = enforcerOn(bus, clock, events);
  REQUIRE(enforcer->apply({allowlistRules(), 1}));
  CHECK(bus.readOnly().empty());

  std::expected<void, Error> result;
  std::thread runner([&] { result = enforcer->run(); });
  const auto waitForReadOnly = [&](std::size_t count) {
    for (int i = 0; i < 500 && bus.readOnly().size() < count; ++i) Sleep(10);
    return bus.readOnly().size();
  };
  // Windows installed the storage function (allowed by instance id): its disk arrives.
  const auto read_only_disk = diskOf(kReadOnly, "E0D55EA574DFF4B0");
  bus.replaceDisks({bus.disks[0], read_only_disk});
  enforcer->deviceChanged();
  CHECK(waitForReadOnly(1) == 1);
  enforcer->deviceChanged();  // another event: the disk is not made read-only twice
  Sleep(100);
  // Removed and plugged again: read-only again (the attribute went with the disk).
  bus.replaceDisks({bus.disks[0]});
  enforcer->deviceChanged();
  Sleep(100);
  bus.replaceDisks({bus.disks[0], read_only_disk});
  enforcer->deviceChanged();
  CHECK(waitForReadOnly(2) == 2);
  enforcer->stop();
  runner.join();
  CHECK_MESSAGE(result, (result ? "" : result.error().message));

  CHECK(bus.readOnly() ==
        std::vector<std::string>{read_only_disk.instance_id, read_only_disk.instance_id});
  const std::scoped_lock guard(events.mutex);
  REQUIRE(events.read_only.size() == 2);
  CHECK(events.read_only[0].medium == "会計課 USB-003");
  CHECK(events.read_only[0].block_device == read_only_disk.instance_id);
  CHECK(events.read_only[0].error.empty());
  CHECK(events.errors.empty());
  CHECK(bus.changes.size() == 1);  // only the unregistered stick, disabled by apply()
}

TEST_CASE("USB-2: a read-only medium whose disk stays writable is disabled, with a note") {
  const RestrictionsCleanup cleanup;
  fake::FakePnpBus bus;
  bus.nodes = usedPc();
  bus.disks = {diskOf(kReadOnly, "E0D55EA574DFF4B0")};  // plugged before the policy arrived
  bus.refuse_read_only = "The request is not supported.";
  const fake::FakeClock clock(policy::TimePoint{});
  RecordedEvents events;
  const auto enforcer = enforcerOn(bus, clock, events);
  REQUIRE(enforcer->apply({allowlistRules(), 1}));

  REQUIRE(events.read_only.size() == 1);
  CHECK(events.read_only[0].error == "The request is not supported.; the device was disabled");
  CHECK(bus.changes.back() == std::pair<std::string, bool>{kReadOnly, false});
  CHECK(disabledNoteFor(kReadOnly));  // enabled again under a policy that can protect it
}

TEST_CASE("USB-3: run() judges each plug from its queue, and a re-plug again") {
  const RestrictionsCleanup cleanup;
  fake::FakePnpBus bus;
  bus.nodes = usedPc();
  const fake::FakeClock clock(policy::TimePoint{}, std::chrono::microseconds{250});
  RecordedEvents events;
  const auto enforcer = enforcerOn(bus, clock, events);
  REQUIRE(enforcer->apply({allowlistRules(), 1}));
  const auto applied = events.decisionCount();

  auto nodes = bus.nodes;  // as apply() left it, before run()'s thread reads it too
  std::expected<void, Error> result;
  std::thread runner([&] { result = enforcer->run(); });
  const auto waitFor = [&](std::size_t count) {
    for (int i = 0; i < 500 && events.decisionCount() < count; ++i) Sleep(10);
    return events.decisionCount();
  };

  // Plugged: the bus changes, then the service forwards Windows' device event. (The bus is
  // read on run()'s thread only after deviceChanged() posted to it.)
  const std::string plugged = R"(USB\VID_13FE&PID_4300\AA00000000001234)";
  nodes.push_back(stick(plugged, true));
  bus.replace(nodes);
  enforcer->deviceChanged();
  CHECK(waitFor(applied + 1) == applied + 1);
  {
    const std::scoped_lock guard(events.mutex);
    const auto& record = events.decisions.back();
    CHECK(record.device.serial == "AA00000000001234");
    CHECK(record.cause == UsbDecisionCause::kPlugged);
    REQUIRE(record.decision_latency);
    CHECK(record.decision_latency->count() > 0);
  }

  // Unplugged, then plugged again: judged again.
  nodes.pop_back();
  bus.replace(nodes);
  enforcer->deviceChanged();
  Sleep(100);
  nodes.push_back(stick(plugged, false));
  bus.replace(nodes);
  enforcer->deviceChanged();
  CHECK(waitFor(applied + 2) == applied + 2);

  enforcer->stop();
  runner.join();
  CHECK_MESSAGE(result, (result ? "" : result.error().message));
  CHECK(enforcer->latency().samples == 2);
  {
    const std::scoped_lock guard(events.mutex);
    CHECK(events.errors.empty());
  }
  CHECK(enforcer->run());  // stopped before: returns at once
}

TEST_CASE(
    "USB-1: lock() denies storage at once and keeps the registered media of the last policy") {
  const RestrictionsCleanup cleanup;
  DeviceInstallRestrictions earlier;
  earlier.allow_instance_ids = {R"(USB\VID_0781&PID_5581\4C530001230715117083)"};
  REQUIRE(writeDeviceInstallRestrictions(earlier));

  RecordedEvents events;
  auto enforcer = makeUsbEnforcer({}, events);
  REQUIRE(enforcer);
  REQUIRE((*enforcer)->lock());
  const auto locked = readDeviceInstallRestrictions();
  REQUIRE(locked);
  CHECK(locked->deny_device_ids == std::vector<std::string>{R"(USB\Class_06)", R"(USB\Class_08)"});
  CHECK(locked->allow_instance_ids == earlier.allow_instance_ids);
  REQUIRE((*enforcer)->lock());  // idempotent
  CHECK(readDeviceInstallRestrictions()->deny_device_ids.size() == 2);
}

}  // namespace
}  // namespace mamori::platform::windows
