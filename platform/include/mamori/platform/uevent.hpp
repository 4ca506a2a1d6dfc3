#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace mamori::platform {

/// One kernel uevent, as the kernel multicasts it on `NETLINK_KOBJECT_UEVENT` group 1 (the
/// kernel's own messages; udev re-broadcasts on group 2 with a `libudev` header).
struct Uevent {
  std::string action;     ///< `add`, `remove`, `change`, `bind`, `unbind`, `move`, ...
  std::string devpath;    ///< below /sys: `/devices/pci0000:00/0000:00:14.0/usb1/1-1`
  std::string subsystem;  ///< `usb`, `block`, ...
  std::string devtype;    ///< `usb_device`, `usb_interface`, `disk`, `partition`; may be empty
  std::string devname;    ///< below /dev: `sdb1`, `bus/usb/001/004`; may be empty
  std::uint64_t seqnum = 0;
};

/// Parses one datagram: `ACTION@DEVPATH\0KEY=VALUE\0...`. ACTION, DEVPATH, SUBSYSTEM and SEQNUM
/// are required and the header must agree with them. The error says what is wrong. udev's own
/// messages (`libudev` header) are refused: they carry what udev rules made of an event, and
/// the enforcer must not depend on udev.
std::expected<Uevent, std::string> parseUevent(std::string_view datagram);

/// The last component of a device path: the kernel name (`1-1.3`, `1-1.3:1.0`, `sdb1`).
std::string_view kernelName(std::string_view devpath);

/// `usb3`: a root hub (one per USB bus of a host controller).
bool isRootHubName(std::string_view name);

/// `1-1`, `2-1.4.3`: the kernel name of a USB device (bus, then port numbers), not a root hub
/// (`usb1`) or an interface (`1-1:1.0`).
bool isUsbDeviceName(std::string_view name);

/// The USB device a device path lies under (a disk `/.../usb2/2-1/2-1:1.0/host0/.../block/sdb`
/// lies under `2-1`): the last USB device component after a root hub component, so a disk
/// behind a hub maps to the stick rather than the hub. Nullopt when it is not on USB.
std::optional<std::string> usbDeviceOfDevpath(std::string_view devpath);

}  // namespace mamori::platform
