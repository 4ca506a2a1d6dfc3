#pragma once

// Windows USB, decoded. What SetupAPI shows of the USB bus becomes the same UsbInventory the
// Linux reader builds from sysfs, so USB-1..USB-4 and policy::decideUsb judge both alike; and the
// policy's USB rules become Windows' Device Installation Restrictions, which make Windows itself
// refuse to install a driver for storage-like USB functions unless the medium is registered.
//
// Why installation restrictions rather than the disk classes: they match the USB function's own
// compatible ids (`USB\Class_08`), so they can never touch an internal SATA or NVMe disk (the
// disk-drive setup class {4d36e967-...} would cover the system disk too), they act per interface
// of a composite device as Linux's interface authorisation does, and Windows enforces them while
// the agent is not running, from boot on. They are never made retroactive: devices installed
// earlier are handled one by one by the enforcer, which never disables anything but USB nodes.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/policy/facts.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/usb_decision.hpp"

namespace mamori::platform {

/// One device node of the USB bus (enumerator `USB`) as SetupAPI / CfgMgr32 report it.
struct PnpDevice {
  /// `USB\VID_0781&PID_5581\4C530001230715117083`; an interface of a composite device:
  /// `USB\VID_0781&PID_5581&MI_01\7&2F0A9C1&0&0001`; a root hub: `USB\ROOT_HUB30\4&...`.
  std::string instance_id;
  std::string parent_id;
  /// `USB\Class_08&SubClass_06&Prot_50`, `USB\Class_08&SubClass_06`, `USB\Class_08`;
  /// a composite device: `USB\DevClass_00&SubClass_00&Prot_00`, ..., `USB\COMPOSITE`.
  std::vector<std::string> compatible_ids;
  std::string description;   ///< DEVPKEY_Device_BusReportedDeviceDesc: the product string
  std::string manufacturer;  ///< SPDRP_MFG: as the driver names it
  std::string location;      ///< SPDRP_LOCATION_INFORMATION: `Port_#0002.Hub_#0001`
  /// DN_STARTED: a driver runs it. A function Windows refused to install, or one disabled, is
  /// not started: that is what "not authorised" means on Windows.
  bool started = false;
};

/// The parts of a USB device instance id.
struct UsbInstanceId {
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  /// `MI_01`: an interface function of a composite device.
  std::optional<std::uint8_t> interface_number;
  /// The third part when it is the device's serial: Windows puts the USB serial there when the
  /// device has one, and an id of its own making (always with `&`) when it has none.
  std::string serial;
};

/// Nullopt for root hubs and anything that is not `USB\VID_xxxx&PID_xxxx...`.
std::optional<UsbInstanceId> parseUsbInstanceId(std::string_view instance_id);

/// `USB\ROOT_HUB`, `USB\ROOT_HUB20`, `USB\ROOT_HUB30`: Windows' counterpart of Linux's `usb1`.
bool isUsbRootHub(std::string_view instance_id);

/// Class, subclass and protocol from the most specific `USB\Class_cc&SubClass_ss&Prot_pp` (or
/// `USB\DevClass_...` for `device_class`) among the compatible ids; missing parts are 0.
struct UsbClassTriple {
  std::uint8_t class_code = 0;
  std::uint8_t subclass = 0;
  std::uint8_t protocol = 0;
};
std::optional<UsbClassTriple> usbInterfaceClass(std::span<const std::string> compatible_ids);
std::optional<UsbClassTriple> usbDeviceClass(std::span<const std::string> compatible_ids);

/// The restrictions in force, as read from or written to
/// HKLM\SOFTWARE\Policies\Microsoft\Windows\DeviceInstall\Restrictions.
struct DeviceInstallRestrictions {
  /// DenyDeviceIDs: hardware or compatible ids whose installation Windows refuses.
  std::vector<std::string> deny_device_ids;
  /// AllowInstanceIDs: exact instance ids installed nonetheless (AllowDenyLayered on).
  std::vector<std::string> allow_instance_ids;

  bool operator==(const DeviceInstallRestrictions&) const = default;
};

/// What the policy's USB rules ask of Windows: every storage-like kind denied by its USB class
/// (`USB\Class_08` ...), registered media allowed by instance id (`USB\VID_..&PID_..\serial`).
/// Audit mode denies nothing; block_all allows nothing.
DeviceInstallRestrictions deviceInstallRestrictions(const policy::UsbRules& rules);

/// `USB\VID_0781&PID_5581\4C530001230715117083`: the instance id Windows gives the medium.
std::string usbInstanceIdOf(const policy::RegisteredMedium& medium);

/// Whether `restrictions` deny USB mass storage (`USB\Class_08`): Windows' counterpart of a
/// Linux controller with authorized_default=0, and what USB-1 asks.
bool deniesMassStorage(const DeviceInstallRestrictions& restrictions);

/// One USB device and the device nodes behind its interfaces.
struct WindowsUsbDevice {
  policy::UsbDevice device;
  std::string instance_id;
  /// The node of each interface, in the order of `device.interfaces`: a composite device's
  /// `MI_xx` children, else the device's own node (its single function).
  std::vector<std::string> interface_nodes;
};

struct WindowsUsbBus {
  std::vector<std::string> root_hubs;  ///< instance ids
  std::vector<WindowsUsbDevice> devices;
};

/// Devices with their interfaces (a composite device's `MI_xx` children, else the device's own
/// function as interface 0), and the root hubs. Nodes that are neither are skipped.
WindowsUsbBus windowsUsbBus(std::span<const PnpDevice> nodes);
/// The bus as the USB checks see it: root hubs become controllers whose `authorized_default`
/// is 0 when `storage_denied` (Windows holds storage back on every port alike).
policy::UsbInventory windowsUsbInventory(std::span<const PnpDevice> nodes, bool storage_denied);

/// A device node to disable or to enable again.
struct UsbNodeChange {
  std::string instance_id;
  bool enable = false;
  bool operator==(const UsbNodeChange&) const = default;
};

/// What makes the nodes of `device` match `decision`: a running function the decision blocks
/// is disabled (a whole device when no interface may be used); a node mamori disabled earlier
/// (`disabled_by_mamori`) that the decision allows is enabled again. Nodes Windows refused to
/// install need nothing: they never started. Nodes someone else disabled are left alone, and so
/// is an unclassified device (no function listed yet).
std::vector<UsbNodeChange> usbNodeChanges(const WindowsUsbDevice& device,
                                          const policy::UsbDecision& decision,
                                          std::span<const std::string> disabled_by_mamori);

/// A disk (device interface GUID_DEVINTERFACE_DISK) and the device nodes above it.
struct PnpDisk {
  /// `USBSTOR\DISK&VEN_SANDISK&PROD_ULTRA&REV_1.00\4C530001230715117083&0`
  std::string instance_id;
  /// The interface path CreateFile opens: `\\?\usbstor#disk&ven_sandisk&...#{53f56307-...}`.
  std::string path;
  /// Instance ids from the parent up: the USB device (or a composite device's `MI_xx`
  /// function, or a UAS adapter, then the device), its hub, ..., the root.
  std::vector<std::string> ancestors;
};

/// The disks of the USB device `device_instance_id`: those it is an ancestor of, directly or
/// through one of its functions. Compared ignoring case, as Windows compares instance ids.
std::vector<PnpDisk> disksOfUsbDevice(std::span<const PnpDisk> disks,
                                      std::string_view device_instance_id);

/// Whether `disk` hangs below a USB device: the only disks mamori ever makes read-only, so
/// an internal disk (the system disk above all) is never touched.
bool isUsbDisk(const PnpDisk& disk);

}  // namespace mamori::platform
