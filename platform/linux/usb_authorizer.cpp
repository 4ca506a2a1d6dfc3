#include "usb_authorizer.hpp"

#include <algorithm>

namespace mamori::platform::linux {
namespace {

std::string entryPath(std::string_view entry, std::string_view attribute) {
  return std::string(kUsbDevicesDir) + "/" + std::string(entry) + "/" + std::string(attribute);
}

}  // namespace

std::expected<void, Error> UsbAuthorizer::lock() {
  locked_ = true;
  std::string failures;
  for (const auto& hub : listRootHubs(fs_)) {
    if (auto locked = lockRootHub(hub); !locked) {
      failures += (failures.empty() ? "" : "; ") + locked.error();
    }
  }
  if (failures.empty()) return {};
  return std::unexpected(makeError(ErrorCode::kIo, "USB controllers not locked: " + failures));
}

std::expected<void, std::string> UsbAuthorizer::lockRootHub(const std::string& name) {
  // Both: with devices held back alone, authorising a stick-with-keyboard would bind its
  // storage interface before mamori could keep that one back.
  for (const auto* attribute : {"authorized_default", "interface_authorized_default"}) {
    if (auto written = fs_.write(entryPath(name, attribute), "0\n"); !written) {
      return std::unexpected(written.error());
    }
  }
  return {};
}

std::expected<void, Error> UsbAuthorizer::apply(const UsbEnforcementPolicy& policy) {
  if (!fs_.exists("/sys/bus")) {
    return std::unexpected(makeError(ErrorCode::kIo, "sysfs is not mounted at /sys"));
  }
  policy_ = policy;
  judgeAll(UsbDecisionCause::kPolicyApplied);
  return {};
}

void UsbAuthorizer::rescan() {
  if (locked_) {
    if (auto locked = lock(); !locked) events_.onError(locked.error());
  }
  if (policy_) judgeAll(UsbDecisionCause::kRescan);
}

void UsbAuthorizer::judgeAll(UsbDecisionCause cause, std::string_view name_prefix) {
  // Sorted names put a hub before the devices behind it; a device that vanished meanwhile
  // (behind a hub just deauthorised) is skipped.
  for (const auto& name : listUsbDevices(fs_)) {
    if (name.starts_with(name_prefix)) judgeDevice(name, cause, std::nullopt);
  }
}

void UsbAuthorizer::handle(const Uevent& event, SteadyTime received) {
  if (event.action != "add") return;  // removal needs no decision; bind/change follow ours
  const auto name = std::string(kernelName(event.devpath));
  if (event.subsystem == "usb" && event.devtype == "usb_device") {
    if (isRootHubName(name)) {
      onRootHubAdded(name);
    } else if (policy_) {
      judgeDevice(name, UsbDecisionCause::kPlugged, received);
    }
  } else if (!policy_) {
    return;
  } else if (event.subsystem == "usb" && event.devtype == "usb_interface") {
    judgeInterface(name);
  } else if (event.subsystem == "block" &&
             (event.devtype == "disk" || event.devtype == "partition")) {
    onBlockDeviceAdded(event);
  }
}

void UsbAuthorizer::onRootHubAdded(const std::string& name) {
  if (!locked_) return;
  if (auto locked = lockRootHub(name); !locked) {
    events_.onError(makeError(ErrorCode::kIo, "new USB controller not locked: " + locked.error()));
  }
  // The kernel may have enumerated devices on the new bus before the lock: judge them now.
  if (policy_) judgeAll(UsbDecisionCause::kPlugged, name.substr(3) + "-");
}

void UsbAuthorizer::judgeDevice(const std::string& name, UsbDecisionCause cause,
                                std::optional<SteadyTime> received) {
  auto seen = readUsbDevice(fs_, name);
  if (!seen) return;  // unplugged before its turn: nothing to enforce
  UsbDecisionRecord record;
  record.cause = cause;
  record.policy_version = policy_->version;
  auto decision = policy::decideUsb(policy_->rules, seen->device);
  if (received) {
    record.decision_latency =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_.monotonic() - *received);
  }
  Outcome outcome;
  const bool was_authorized = seen->device.authorized;
  enforce(*seen, decision, outcome);
  record.device = seen->device;
  record.device.authorized = was_authorized;
  record.decision = decision;
  record.changed = outcome.changed;
  record.error = outcome.errors;
  record.at = clock_.now();
  if (record.decision_latency) latencies_.add(*record.decision_latency);
  events_.onDecision(record);
  if (decision.authorize_device && decision.read_only) {
    // Present when the policy arrived: its disks already exist.
    for (const auto& block : blockDevicesOf(fs_, *seen)) makeReadOnly(name, block, decision);
  }
}

void UsbAuthorizer::enforce(SysfsUsbDevice& seen, policy::UsbDecision& decision, Outcome& outcome) {
  const std::string name = seen.device.port;  // a copy: `seen` may be replaced below
  const bool was_authorized = seen.device.authorized;
  setAuthorized(name, was_authorized, decision.authorize_device, outcome);
  if (decision.authorize_device && !was_authorized && outcome.errors.empty()) {
    // Authorising configured it: judge the interfaces its configuration really has (the
    // descriptors list those of every configuration).
    if (auto configured = readUsbDevice(fs_, name)) {
      seen = std::move(*configured);
      decision = policy::decideUsb(policy_->rules, seen.device);
      if (!decision.authorize_device) setAuthorized(name, true, false, outcome);
    }
  }
  for (std::size_t i = 0; decision.authorize_device && i < seen.interface_entries.size(); ++i) {
    applyInterface(seen, i, decision.interfaces[i].authorized, outcome);
  }
}

void UsbAuthorizer::judgeInterface(const std::string& entry) {
  const auto seen = readUsbDevice(fs_, entry.substr(0, entry.find(':')));
  if (!seen || !seen->device.authorized) return;
  const auto& entries = seen->interface_entries;
  const auto it = std::ranges::find(entries, entry);
  if (it == entries.end()) return;
  const auto decision = policy::decideUsb(policy_->rules, seen->device);
  const auto index = static_cast<std::size_t>(it - entries.begin());
  Outcome outcome;
  applyInterface(*seen, index, decision.interfaces[index].authorized, outcome);
  if (!outcome.errors.empty()) events_.onError(makeError(ErrorCode::kIo, outcome.errors));
}

void UsbAuthorizer::setAuthorized(const std::string& entry, bool current, bool wanted,
                                  Outcome& outcome) {
  if (current == wanted) return;
  if (auto written = fs_.write(entryPath(entry, "authorized"), wanted ? "1\n" : "0\n")) {
    outcome.changed = true;
  } else {
    outcome.fail(written.error());
  }
}

void UsbAuthorizer::applyInterface(const SysfsUsbDevice& seen, std::size_t index, bool wanted,
                                   Outcome& outcome) {
  const auto& entry = seen.interface_entries[index];
  setAuthorized(entry, seen.device.interfaces[index].authorized, wanted, outcome);
  if (!wanted || fs_.exists(entryPath(entry, "driver"))) return;
  // Authorising an interface does not bind its driver: ask the bus to probe it.
  if (auto probed = fs_.write("/sys/bus/usb/drivers_probe", entry); !probed) {
    outcome.fail(probed.error());
  }
}

void UsbAuthorizer::onBlockDeviceAdded(const Uevent& event) {
  const auto port = usbDeviceOfDevpath(event.devpath);
  if (!port) return;
  const auto seen = readUsbDevice(fs_, *port);
  if (!seen) return;
  const auto decision = policy::decideUsb(policy_->rules, seen->device);
  if (!decision.authorize_device || !decision.read_only) return;
  const auto block = event.devname.empty() ? std::string(kernelName(event.devpath)) : event.devname;
  makeReadOnly(*port, block, decision);
}

void UsbAuthorizer::makeReadOnly(const std::string& port, const std::string& block_device,
                                 const policy::UsbDecision& decision) {
  UsbReadOnlyRecord record;
  record.port = port;
  record.block_device = block_device;
  record.medium = decision.medium ? decision.medium->label : std::string();
  if (block_device.find("..") != std::string::npos) {
    record.error = block_device + ": not a device name";
  } else if (auto done = block_devices_.setReadOnly(fs_.path("/dev/" + block_device)); !done) {
    record.error = done.error();
  }
  if (!record.error.empty()) {
    // A medium the policy wants read-only must not stay writable: fail closed, unplug it
    // logically (its block devices go with it).
    Outcome outcome;
    setAuthorized(port, true, false, outcome);
    record.error += outcome.errors.empty() ? "; the device was deauthorised"
                                           : "; deauthorising it failed too: " + outcome.errors;
  }
  record.at = clock_.now();
  events_.onReadOnly(record);
}

}  // namespace mamori::platform::linux
