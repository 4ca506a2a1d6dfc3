#include "mamori/platform/windows_usb.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>

#include "mamori/policy/usb_decision.hpp"
#include "text_lines.hpp"

namespace mamori::platform {
namespace {

using textscan::asciiLower;
using textscan::equalsIgnoringCase;

bool startsWithIgnoringCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equalsIgnoringCase(s.substr(0, prefix.size()), prefix);
}

template <class Int>
std::optional<Int> hexNumber(std::string_view s) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value > Int(~Int{0})) {
    return std::nullopt;
  }
  return static_cast<Int>(value);
}

// `VID_0781` -> 0x0781: a tag, an underscore, and exactly `digits` hex digits.
template <class Int>
std::optional<Int> taggedHex(std::string_view part, std::string_view tag, std::size_t digits) {
  if (!startsWithIgnoringCase(part, tag) || part.size() != tag.size() + digits) return {};
  return hexNumber<Int>(part.substr(tag.size()));
}

// `USB\Class_08&SubClass_06&Prot_50` after `prefix` (`USB\Class_`): the triple and how many of
// its parts the id names (1 to 3).
std::optional<std::pair<UsbClassTriple, int>> classTriple(std::string_view id,
                                                          std::string_view prefix) {
  UsbClassTriple triple;
  const std::pair<std::string_view, std::uint8_t*> parts[] = {
      {prefix, &triple.class_code}, {"&SubClass_", &triple.subclass}, {"&Prot_", &triple.protocol}};
  int named = 0;
  for (const auto& [tag, field] : parts) {
    if (id.empty()) break;
    if (!startsWithIgnoringCase(id, tag) || id.size() < tag.size() + 2) return std::nullopt;
    const auto value = hexNumber<std::uint8_t>(id.substr(tag.size(), 2));
    if (!value) return std::nullopt;
    *field = *value;
    id.remove_prefix(tag.size() + 2);
    ++named;
  }
  if (named == 0 || !id.empty()) return std::nullopt;
  return std::pair{triple, named};
}

std::optional<UsbClassTriple> mostSpecific(std::span<const std::string> ids,
                                           std::string_view prefix) {
  std::optional<std::pair<UsbClassTriple, int>> best;
  for (const auto& id : ids) {
    const auto t = classTriple(id, prefix);
    if (t && (!best || t->second > best->second)) best = t;
  }
  if (!best) return std::nullopt;
  return best->first;
}

std::string hex(unsigned value, int digits) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%0*X", digits, value);
  return buf;
}

policy::UsbInterface interfaceOf(std::uint8_t number, const PnpDevice& node) {
  policy::UsbInterface i;
  i.number = number;
  if (const auto c = usbInterfaceClass(node.compatible_ids)) {
    i.interface_class = c->class_code;
    i.subclass = c->subclass;
    i.protocol = c->protocol;
  }
  i.authorized = node.started;
  return i;
}

}  // namespace

std::optional<UsbInstanceId> parseUsbInstanceId(std::string_view instance_id) {
  // USB \ VID_vvvv&PID_pppp[&MI_nn] \ serial-or-generated
  if (!startsWithIgnoringCase(instance_id, "USB\\")) return std::nullopt;
  const auto rest = instance_id.substr(4);
  const auto slash = rest.find('\\');
  const auto hardware = rest.substr(0, slash);
  UsbInstanceId id;
  std::size_t at = 0;
  int part_index = 0;
  while (at <= hardware.size()) {
    const auto amp = hardware.find('&', at);
    const auto part = hardware.substr(at, amp == std::string_view::npos ? amp : amp - at);
    if (part_index == 0) {
      const auto vid = taggedHex<std::uint16_t>(part, "VID_", 4);
      if (!vid) return std::nullopt;
      id.vendor_id = *vid;
    } else if (part_index == 1) {
      const auto pid = taggedHex<std::uint16_t>(part, "PID_", 4);
      if (!pid) return std::nullopt;
      id.product_id = *pid;
    } else if (const auto mi = taggedHex<std::uint8_t>(part, "MI_", 2)) {
      id.interface_number = mi;
    }
    ++part_index;
    if (amp == std::string_view::npos) break;
    at = amp + 1;
  }
  if (part_index < 2) return std::nullopt;
  if (slash != std::string_view::npos && !id.interface_number) {
    const auto instance = rest.substr(slash + 1);
    if (instance.find('&') == std::string_view::npos) id.serial = std::string(instance);
  }
  return id;
}

bool isUsbRootHub(std::string_view instance_id) {
  return startsWithIgnoringCase(instance_id, "USB\\ROOT_HUB");
}

std::optional<UsbClassTriple> usbInterfaceClass(std::span<const std::string> compatible_ids) {
  return mostSpecific(compatible_ids, "USB\\Class_");
}

std::optional<UsbClassTriple> usbDeviceClass(std::span<const std::string> compatible_ids) {
  return mostSpecific(compatible_ids, "USB\\DevClass_");
}

std::string usbInstanceIdOf(const policy::RegisteredMedium& medium) {
  return "USB\\VID_" + hex(medium.vendor_id, 4) + "&PID_" + hex(medium.product_id, 4) + "\\" +
         medium.serial;
}

DeviceInstallRestrictions deviceInstallRestrictions(const policy::UsbRules& rules) {
  DeviceInstallRestrictions r;
  if (rules.mode == policy::UsbMode::kAudit) return r;
  // Every class code whose kind the policy holds back; `USB\Class_xx` matches each interface
  // function of that class, whatever its subclass and protocol.
  for (unsigned code = 0; code <= 0xFF; ++code) {
    if (policy::storageLike(rules, policy::usbKindOfClass(static_cast<std::uint8_t>(code)))) {
      r.deny_device_ids.push_back("USB\\Class_" + hex(code, 2));
    }
  }
  if (rules.mode == policy::UsbMode::kAllowlist) {
    for (const auto& medium : rules.allowlist) {
      if (!medium.serial.empty()) r.allow_instance_ids.push_back(usbInstanceIdOf(medium));
    }
  }
  return r;
}

bool deniesMassStorage(const DeviceInstallRestrictions& restrictions) {
  return std::ranges::any_of(restrictions.deny_device_ids, [](const std::string& id) {
    return equalsIgnoringCase(id, "USB\\Class_08");
  });
}

WindowsUsbBus windowsUsbBus(std::span<const PnpDevice> nodes) {
  WindowsUsbBus bus;
  // Interface functions by their parent's instance id (case-insensitive, as Windows compares).
  std::map<std::string, std::vector<std::pair<std::uint8_t, const PnpDevice*>>> children;
  for (const auto& node : nodes) {
    const auto id = parseUsbInstanceId(node.instance_id);
    if (id && id->interface_number) {
      children[asciiLower(node.parent_id)].emplace_back(*id->interface_number, &node);
    }
  }
  for (const auto& node : nodes) {
    if (isUsbRootHub(node.instance_id)) {
      bus.root_hubs.push_back(node.instance_id);
      continue;
    }
    const auto id = parseUsbInstanceId(node.instance_id);
    if (!id || id->interface_number) continue;
    WindowsUsbDevice entry;
    entry.instance_id = node.instance_id;
    auto& device = entry.device;
    device.port = node.location.empty() ? node.instance_id : node.location;
    device.vendor_id = id->vendor_id;
    device.product_id = id->product_id;
    device.serial = id->serial;
    device.manufacturer = node.manufacturer;
    device.product = node.description;
    device.authorized = node.started;
    if (const auto c = usbDeviceClass(node.compatible_ids)) device.device_class = c->class_code;
    if (auto functions = children.find(asciiLower(node.instance_id)); functions != children.end()) {
      std::ranges::sort(functions->second, {}, &std::pair<std::uint8_t, const PnpDevice*>::first);
      for (const auto& [number, child] : functions->second) {
        device.interfaces.push_back(interfaceOf(number, *child));
        entry.interface_nodes.push_back(child->instance_id);
      }
    } else if (usbInterfaceClass(node.compatible_ids)) {
      // A single-function device: Windows names the function's class on the device node.
      device.interfaces.push_back(interfaceOf(0, node));
      entry.interface_nodes.push_back(node.instance_id);
    }
    bus.devices.push_back(std::move(entry));
  }
  return bus;
}

policy::UsbInventory windowsUsbInventory(std::span<const PnpDevice> nodes, bool storage_denied) {
  auto bus = windowsUsbBus(nodes);
  policy::UsbInventory inventory;
  for (auto& hub : bus.root_hubs) {
    policy::UsbController controller;
    controller.name = std::move(hub);
    controller.authorized_default = storage_denied ? 0 : 1;
    inventory.controllers.push_back(std::move(controller));
  }
  for (auto& entry : bus.devices) inventory.devices.push_back(std::move(entry.device));
  return inventory;
}

std::vector<UsbNodeChange> usbNodeChanges(const WindowsUsbDevice& device,
                                          const policy::UsbDecision& decision,
                                          std::span<const std::string> disabled_by_mamori) {
  const auto disabledByMamori = [&](const std::string& id) {
    return std::ranges::any_of(disabled_by_mamori,
                               [&](const std::string& d) { return equalsIgnoringCase(d, id); });
  };
  std::vector<UsbNodeChange> changes;
  // What its functions are is unknown: disabling could switch off a keyboard, and Windows'
  // restrictions already hold back any storage function it turns out to have.
  if (decision.rule == policy::UsbRule::kUnclassified) return changes;
  const auto want = [&](const std::string& id, bool running, bool allowed) {
    if (!allowed && running) {
      changes.push_back({id, false});
    } else if (allowed && !running && disabledByMamori(id)) {
      changes.push_back({id, true});
    }
  };
  want(device.instance_id, device.device.authorized, decision.authorize_device);
  if (!decision.authorize_device) return changes;  // its functions go with it
  for (std::size_t i = 0; i < device.interface_nodes.size(); ++i) {
    if (device.interface_nodes[i] == device.instance_id) continue;  // the device's own node
    want(device.interface_nodes[i], device.device.interfaces[i].authorized,
         decision.interfaces[i].authorized);
  }
  return changes;
}

std::vector<PnpDisk> disksOfUsbDevice(std::span<const PnpDisk> disks,
                                      std::string_view device_instance_id) {
  std::vector<PnpDisk> found;
  for (const auto& disk : disks) {
    if (std::ranges::any_of(disk.ancestors, [&](const std::string& id) {
          return equalsIgnoringCase(id, device_instance_id);
        })) {
      found.push_back(disk);
    }
  }
  return found;
}

bool isUsbDisk(const PnpDisk& disk) {
  return std::ranges::any_of(
      disk.ancestors, [](const std::string& id) { return parseUsbInstanceId(id).has_value(); });
}

}  // namespace mamori::platform
