#pragma once

// What the USB enforcer's tests share: devices plugged into a fixture sysfs the way the kernel
// shows them, kernel uevent messages, and a sink that keeps what the enforcer reported.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/platform/usb_enforcer.hpp"
#include "temp_root.hpp"

namespace mamori::testing {

/// The debian12 host's USB tree (see tests/fixtures/README.md), plus the bus's drivers_probe.
class UsbFixture {
 public:
  UsbFixture();

  [[nodiscard]] const TempRoot& root() const { return root_; }

  /// A device as the kernel shows it while held back: unauthorised, unconfigured, classes
  /// only in `descriptors` (one interface per class, numbered from 0).
  void plugHeldBack(std::string_view name, std::uint16_t vid, std::uint16_t pid,
                    std::string_view serial, const std::vector<std::uint8_t>& classes) const;
  /// An interface directory `<device>:1.<number>`, as the kernel creates it when it configures
  /// the device (with interface_authorized_default=0: unauthorised).
  void addInterface(std::string_view device, std::uint8_t number, std::uint8_t cls,
                    bool authorized = false) const;
  /// A disk (and its partitions) the SCSI layer made behind an interface.
  void addDisk(std::string_view interface, std::string_view disk,
               const std::vector<std::string>& partitions = {}) const;
  /// Marks an interface as bound to a driver.
  void bind(std::string_view interface) const;

  /// The trimmed content of `/sys/bus/usb/devices/<entry>`: `1-1.2/authorized`.
  [[nodiscard]] std::string attribute(std::string_view entry) const;
  /// What was last written to /sys/bus/usb/drivers_probe (empty: nothing).
  [[nodiscard]] std::string probed() const;

 private:
  TempRoot root_;
};

/// The kernel's uevent for `action` on `devpath` (below /sys), as bytes.
std::string uevent(std::string_view action, std::string_view devpath, std::string_view subsystem,
                   std::string_view devtype, std::string_view devname = {});

/// The devpath of a USB device on this fixture's xHCI controller: `/devices/.../usb2/2-2`.
std::string usbDevpath(std::string_view name);

/// Keeps everything the enforcer reports.
class RecordingEvents final : public platform::UsbEnforcerEvents {
 public:
  void onDecision(const platform::UsbDecisionRecord& record) override {
    decisions.push_back(record);
  }
  void onReadOnly(const platform::UsbReadOnlyRecord& record) override {
    read_only.push_back(record);
  }
  void onError(const Error& error) override { errors.push_back(error); }

  /// The last decision about `port`; fails the test when there is none.
  [[nodiscard]] const platform::UsbDecisionRecord& about(std::string_view port) const;

  std::vector<platform::UsbDecisionRecord> decisions;
  std::vector<platform::UsbReadOnlyRecord> read_only;
  std::vector<Error> errors;
};

}  // namespace mamori::testing
