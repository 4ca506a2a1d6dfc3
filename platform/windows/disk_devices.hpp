#pragma once

// The disks of USB media, and the one change mamori makes to them: read-only until removed, for
// a registered medium the policy lets in read-only (USB-2). Windows' counterpart of Linux's
// BLKROSET on the medium's block devices.

#include <expected>
#include <string>
#include <vector>

#include "mamori/platform/windows_usb.hpp"

namespace mamori::platform::windows {

/// Every present disk (GUID_DEVINTERFACE_DISK) with its interface path and the nodes above it.
std::expected<std::vector<PnpDisk>, std::string> readDisks();

/// Sets the disk's read-only attribute (IOCTL_DISK_SET_DISK_ATTRIBUTES, not persisted: it lasts
/// until the disk is removed) and checks that Windows kept it; then dismounts the disk's
/// volumes that nobody has open, so that Windows mounts them again read-only. A volume in use
/// stays mounted; its writes fail from now on. Refuses a disk that is not below a USB device.
std::expected<void, std::string> setDiskReadOnly(const PnpDisk& disk);

}  // namespace mamori::platform::windows
