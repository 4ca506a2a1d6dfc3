// Disks through SetupAPI, their read-only attribute through the disk class driver.

// windows.h first; initguid.h before winioctl.h so that GUID_DEVINTERFACE_DISK is defined here,
// not only declared: not sorted.
// clang-format off
#include <windows.h>
#include <initguid.h>
#include <winioctl.h>
// clang-format on

#include "disk_devices.hpp"

#include <cstddef>
#include <vector>

#include "device_nodes.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

// The disk attribute IOCTLs (Windows 7 on) are missing from mingw-w64's winioctl.h; these are
// the Windows SDK's definitions.
#ifndef IOCTL_DISK_SET_DISK_ATTRIBUTES
#define IOCTL_DISK_GET_DISK_ATTRIBUTES \
  CTL_CODE(IOCTL_DISK_BASE, 0x003c, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_DISK_SET_DISK_ATTRIBUTES \
  CTL_CODE(IOCTL_DISK_BASE, 0x003d, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define DISK_ATTRIBUTE_READ_ONLY 0x0000000000000002ULL
struct GET_DISK_ATTRIBUTES {
  DWORD Version;
  DWORD Reserved1;
  DWORDLONG Attributes;
};
struct SET_DISK_ATTRIBUTES {
  DWORD Version;
  BOOLEAN Persist;
  BYTE Reserved1[3];
  DWORDLONG Attributes;
  DWORDLONG AttributesMask;
  DWORD Reserved2[4];
};
#endif

namespace mamori::platform::windows {
namespace {

struct HandleCloser {
  void operator()(HANDLE handle) const {
    if (handle != INVALID_HANDLE_VALUE) CloseHandle(handle);
  }
};
using Handle = std::unique_ptr<void, HandleCloser>;

Handle openForChange(const std::wstring& path) {
  return Handle(CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE,
                            FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0,
                            nullptr));
}

std::string interfacePath(HDEVINFO set, SP_DEVICE_INTERFACE_DATA& entry, SP_DEVINFO_DATA& info) {
  DWORD bytes = 0;
  SetupDiGetDeviceInterfaceDetailW(set, &entry, nullptr, 0, &bytes, nullptr);
  if (bytes < sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W)) return {};
  std::vector<std::byte> buffer(bytes);
  auto* detail = reinterpret_cast<SP_DEVICE_INTERFACE_DETAIL_DATA_W*>(buffer.data());
  detail->cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W);
  if (!SetupDiGetDeviceInterfaceDetailW(set, &entry, detail, bytes, nullptr, &info)) return {};
  return narrow(detail->DevicePath);
}

std::expected<bool, std::string> isReadOnly(HANDLE disk) {
  GET_DISK_ATTRIBUTES attributes{};
  DWORD returned = 0;
  if (!DeviceIoControl(disk, IOCTL_DISK_GET_DISK_ATTRIBUTES, nullptr, 0, &attributes,
                       sizeof attributes, &returned, nullptr)) {
    return std::unexpected(lastError());
  }
  return (attributes.Attributes & DISK_ATTRIBUTE_READ_ONLY) != 0;
}

// Dismounts the volumes on disk `number` that can be locked (nobody has a file open on them);
// Windows mounts each again at its next use, read-only now that the disk is.
void remountVolumesOf(DWORD number) {
  wchar_t name[MAX_PATH] = {};
  const HANDLE search = FindFirstVolumeW(name, MAX_PATH);
  if (search == INVALID_HANDLE_VALUE) return;
  do {
    std::wstring path(name);
    if (!path.empty() && path.back() == L'\\') path.pop_back();  // the volume, not its root
    const Handle volume = openForChange(path);
    if (volume.get() == INVALID_HANDLE_VALUE) continue;
    VOLUME_DISK_EXTENTS extents{};
    DWORD returned = 0;
    if (!DeviceIoControl(volume.get(), IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, nullptr, 0, &extents,
                         sizeof extents, &returned, nullptr) ||
        extents.NumberOfDiskExtents != 1 || extents.Extents[0].DiskNumber != number) {
      continue;  // another disk's, or a volume spanning disks (never a USB stick's)
    }
    if (DeviceIoControl(volume.get(), FSCTL_LOCK_VOLUME, nullptr, 0, nullptr, 0, &returned,
                        nullptr)) {
      DeviceIoControl(volume.get(), FSCTL_DISMOUNT_VOLUME, nullptr, 0, nullptr, 0, &returned,
                      nullptr);
    }
  } while (FindNextVolumeW(search, name, MAX_PATH));
  FindVolumeClose(search);
}

}  // namespace

std::expected<std::vector<PnpDisk>, std::string> readDisks() {
  const DeviceInfoSet set(SetupDiGetClassDevsW(&GUID_DEVINTERFACE_DISK, nullptr, nullptr,
                                               DIGCF_DEVICEINTERFACE | DIGCF_PRESENT));
  if (set.get() == INVALID_HANDLE_VALUE) {
    return std::unexpected("SetupAPI cannot list the disks: " + lastError());
  }
  std::vector<PnpDisk> disks;
  SP_DEVICE_INTERFACE_DATA entry{};
  entry.cbSize = sizeof entry;
  for (DWORD i = 0;
       SetupDiEnumDeviceInterfaces(set.get(), nullptr, &GUID_DEVINTERFACE_DISK, i, &entry); ++i) {
    SP_DEVINFO_DATA info{};
    info.cbSize = sizeof info;
    PnpDisk disk;
    disk.path = interfacePath(set.get(), entry, info);
    if (disk.path.empty()) continue;  // gone meanwhile
    disk.instance_id = deviceIdOf(info.DevInst);
    for (auto node = parentOf(info.DevInst); node; node = parentOf(*node)) {
      disk.ancestors.push_back(deviceIdOf(*node));
    }
    disks.push_back(std::move(disk));
  }
  if (GetLastError() != ERROR_NO_MORE_ITEMS) {
    return std::unexpected("SetupAPI stopped listing the disks: " + lastError());
  }
  return disks;
}

std::expected<void, std::string> setDiskReadOnly(const PnpDisk& disk) {
  if (!isUsbDisk(disk)) {
    return std::unexpected("refusing to make " + disk.instance_id +
                           " read-only: not the disk of a USB device");
  }
  const Handle handle = openForChange(widen(disk.path));
  if (handle.get() == INVALID_HANDLE_VALUE) {
    return std::unexpected("cannot open the disk " + disk.instance_id + ": " + lastError());
  }
  SET_DISK_ATTRIBUTES change{};
  change.Version = sizeof change;
  change.Persist = FALSE;  // this medium, this time: it may be registered differently later
  change.Attributes = DISK_ATTRIBUTE_READ_ONLY;
  change.AttributesMask = DISK_ATTRIBUTE_READ_ONLY;
  DWORD returned = 0;
  if (!DeviceIoControl(handle.get(), IOCTL_DISK_SET_DISK_ATTRIBUTES, &change, sizeof change,
                       nullptr, 0, &returned, nullptr)) {
    return std::unexpected("cannot make the disk " + disk.instance_id +
                           " read-only: " + lastError());
  }
  const auto kept = isReadOnly(handle.get());
  if (!kept || !*kept) {
    return std::unexpected("the disk " + disk.instance_id + " is still writable" +
                           (kept ? std::string() : ": " + kept.error()));
  }
  STORAGE_DEVICE_NUMBER number{};
  if (DeviceIoControl(handle.get(), IOCTL_STORAGE_GET_DEVICE_NUMBER, nullptr, 0, &number,
                      sizeof number, &returned, nullptr)) {
    remountVolumesOf(number.DeviceNumber);
  }
  return {};
}

}  // namespace mamori::platform::windows
