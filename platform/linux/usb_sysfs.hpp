#pragma once

#include "mamori/policy/facts.hpp"
#include "root_fs.hpp"

namespace mamori::platform::linux {

/// The USB inventory from `/sys/bus/usb/devices`: root hubs (`usbN`) with their authorisation
/// defaults, and every other device with its interfaces. Empty when the kernel has no USB bus;
/// unknown when sysfs is not mounted.
policy::Observed<policy::UsbInventory> readUsbInventory(const RootFs& fs);

}  // namespace mamori::platform::linux
