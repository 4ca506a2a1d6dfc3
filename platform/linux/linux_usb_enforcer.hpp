#pragma once

#include <filesystem>
#include <memory>

#include "block_device_control.hpp"
#include "mamori/platform/clock.hpp"
#include "mamori/platform/usb_enforcer.hpp"
#include "uevent_source.hpp"

namespace mamori::platform::linux {

/// The OS boundary of the Linux enforcer, each part replaceable in tests.
struct LinuxUsbEnforcerParts {
  std::filesystem::path root = "/";
  std::unique_ptr<UeventSource> uevents;
  std::unique_ptr<BlockDeviceControl> block_devices;
  const Clock* clock = nullptr;  ///< must outlive the enforcer
};

/// The Linux UsbEnforcer over `parts` (none may be null). makeUsbEnforcer() is this with the
/// kernel's uevent socket, the real BLKROSET and the system clock.
std::unique_ptr<UsbEnforcer> makeLinuxUsbEnforcer(LinuxUsbEnforcerParts parts,
                                                  UsbEnforcerEvents& events);

}  // namespace mamori::platform::linux
