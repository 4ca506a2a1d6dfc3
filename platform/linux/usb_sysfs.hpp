#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mamori/policy/facts.hpp"
#include "root_fs.hpp"

namespace mamori::platform::linux {

/// Where USB devices and their interfaces are listed, flat, by kernel name.
inline constexpr std::string_view kUsbDevicesDir = "/sys/bus/usb/devices";

/// One USB device as sysfs shows it, with what the enforcer needs to write to it.
struct SysfsUsbDevice {
  policy::UsbDevice device;
  /// The entries of its interfaces (`1-1.3:1.0`), in the order of `device.interfaces`; empty
  /// while the device is unconfigured (its interfaces then come from its descriptors).
  std::vector<std::string> interface_entries;
};

/// The device `name` (`1-1.3`), or nullopt when it is gone.
std::optional<SysfsUsbDevice> readUsbDevice(const RootFs& fs, const std::string& name);

/// Kernel names of the root hubs (`usb1`) and of the other devices (`1-1.3`), sorted, so a hub
/// comes before the devices behind it.
std::vector<std::string> listRootHubs(const RootFs& fs);
std::vector<std::string> listUsbDevices(const RootFs& fs);

/// The block devices (`sdb`, `sdb1`: names below /dev) the kernel made for the device's
/// interfaces so far, sorted. Walks each interface's subtree (SCSI host, target, disk).
std::vector<std::string> blockDevicesOf(const RootFs& fs, const SysfsUsbDevice& device);

/// The USB inventory from `/sys/bus/usb/devices`: root hubs (`usbN`) with their authorisation
/// defaults, and every other device with its interfaces. Empty when the kernel has no USB bus;
/// unknown when sysfs is not mounted.
policy::Observed<policy::UsbInventory> readUsbInventory(const RootFs& fs);

}  // namespace mamori::platform::linux
