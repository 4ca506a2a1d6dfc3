#pragma once

// The Windows UsbEnforcer over replaceable parts: the USB bus and disk readers, the node switch
// and the disks' read-only switch are SetupAPI and the disk driver in the service, and
// platform/fake's FakePnpBus in tests that need devices wine does not have.

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/platform/clock.hpp"
#include "mamori/platform/usb_enforcer.hpp"
#include "mamori/platform/windows_usb.hpp"

namespace mamori::platform::windows {

struct WindowsUsbEnforcerParts {
  std::function<std::expected<std::vector<PnpDevice>, std::string>()> read_nodes;
  std::function<std::expected<void, std::string>(std::string_view instance_id, bool enable)>
      set_enabled;
  /// The disks present, with the nodes above each; read while a registered read-only medium
  /// is plugged in.
  std::function<std::expected<std::vector<PnpDisk>, std::string>()> read_disks;
  /// Makes a medium's disk read-only until it is removed.
  std::function<std::expected<void, std::string>(const PnpDisk& disk)> set_disk_read_only;
  const Clock* clock = nullptr;  ///< must outlive the enforcer
  /// How often run() looks at the bus without being told: a stick Windows refused to install
  /// raises no device-interface event, and unplugging must be noticed so a re-plug is judged.
  std::chrono::milliseconds rescan_interval{5000};
};

class WindowsUsbEnforcer : public UsbEnforcer {
 public:
  /// A USB device came or went: run() looks at the bus at once and times the decision from
  /// now. The Windows service calls it for SERVICE_CONTROL_DEVICEEVENT (see
  /// registerUsbDeviceEvents). Thread-safe.
  virtual void deviceChanged() = 0;
};

/// None of `parts` may be empty.
std::unique_ptr<WindowsUsbEnforcer> makeWindowsUsbEnforcer(WindowsUsbEnforcerParts parts,
                                                           UsbEnforcerEvents& events);

/// SetupAPI's reader and switch, and `clock` (null: the system clock). makeUsbEnforcer() is
/// makeWindowsUsbEnforcer() with these.
WindowsUsbEnforcerParts systemUsbEnforcerParts(const Clock* clock = nullptr);

}  // namespace mamori::platform::windows
