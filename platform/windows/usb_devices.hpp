#pragma once

// The USB bus as SetupAPI and CfgMgr32 show it, and the one change mamori makes to a device
// node Windows had already installed: disabling (or enabling again) a USB function.

// winsvc.h: WIN32_LEAN_AND_MEAN leaves it out of windows.h. Not sorted.
// clang-format off
#include <windows.h>
#include <winsvc.h>
// clang-format on

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/platform/windows_usb.hpp"

namespace mamori::platform::windows {

/// Every present device node of the USB enumerator (root hubs, devices, interface functions).
std::expected<std::vector<PnpDevice>, std::string> readUsbDeviceNodes();

/// Disables (DICS_DISABLE, global: it stays disabled when plugged again) or enables a device
/// node of the USB enumerator. Refuses any other node: mamori never touches a disk, a volume or
/// a controller, so the system disk cannot be locked out by mistake.
std::expected<void, std::string> setUsbFunctionEnabled(std::string_view instance_id, bool enabled);

/// Asks the service control manager to send `service` SERVICE_CONTROL_DEVICEEVENT for arrivals
/// and removals of USB devices (GUID_DEVINTERFACE_USB_DEVICE) and of disks
/// (GUID_DEVINTERFACE_DISK). Unregister each with UnregisterDeviceNotification.
std::expected<std::vector<HDEVNOTIFY>, std::string> registerUsbDeviceEvents(
    SERVICE_STATUS_HANDLE service);

}  // namespace mamori::platform::windows
