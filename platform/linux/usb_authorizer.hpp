#pragma once

// Linux USB authorisation (the kernel's `authorized` attributes), as the enforcer applies it:
//
//   lock     authorized_default=0 and interface_authorized_default=0 on every root hub, so a
//            new device stays unconfigured (no driver, no block device) and a new interface
//            stays unbound until mamori decides;
//   decide   policy::decideUsb on what sysfs shows: a configured device's interfaces, or an
//            unconfigured one's descriptors;
//   apply    device `authorized`; then each interface's `authorized`, and for each allowed
//            unbound interface a write of its name to /sys/bus/usb/drivers_probe, because
//            authorising an interface does not bind its driver.
//
// Everything is re-read from sysfs at each step instead of remembered, so every step is
// idempotent: an interface event after the device's own, a rescan, a new policy.

#include <chrono>
#include <expected>
#include <optional>
#include <string>

#include "block_device_control.hpp"
#include "latency_window.hpp"
#include "mamori/platform/clock.hpp"
#include "mamori/platform/uevent.hpp"
#include "mamori/platform/usb_enforcer.hpp"
#include "root_fs.hpp"
#include "usb_sysfs.hpp"

namespace mamori::platform::linux {

/// The decisions and writes of the Linux enforcer, without its event loop and its lock: not
/// thread-safe (LinuxUsbEnforcer serialises calls). Writes go below `fs`'s root.
class UsbAuthorizer {
 public:
  UsbAuthorizer(RootFs fs, BlockDeviceControl& block_devices, const Clock& clock,
                UsbEnforcerEvents& events)
      : fs_(std::move(fs)), block_devices_(block_devices), clock_(clock), events_(events) {}

  /// UsbEnforcer::lock(), and root hubs added later are locked as they appear.
  std::expected<void, Error> lock();
  /// UsbEnforcer::apply().
  std::expected<void, Error> apply(const UsbEnforcementPolicy& policy);
  /// One hot-plug event, received at `received` (for the decision latency). Events before
  /// the first apply() leave devices as the lock left them: waiting.
  void handle(const Uevent& event, std::chrono::steady_clock::time_point received);
  /// After the kernel dropped events: locks and judges everything present again.
  void rescan();

  [[nodiscard]] UsbLatencySummary latency() const { return latencies_.summary(); }

 private:
  // Collects what the writes for one decision did.
  struct Outcome {
    bool changed = false;
    std::string errors;
    void fail(const std::string& error) { errors += (errors.empty() ? "" : "; ") + error; }
  };
  using SteadyTime = std::chrono::steady_clock::time_point;

  std::expected<void, std::string> lockRootHub(const std::string& name);
  void judgeAll(UsbDecisionCause cause, std::string_view name_prefix = {});
  void judgeDevice(const std::string& name, UsbDecisionCause cause,
                   std::optional<SteadyTime> received);
  void judgeInterface(const std::string& entry);
  void onRootHubAdded(const std::string& name);
  void onBlockDeviceAdded(const Uevent& event);

  // Applies `decision` to the device and its interfaces. Authorising an unconfigured device
  // makes the kernel configure it: `seen` and `decision` then describe that configuration.
  void enforce(SysfsUsbDevice& seen, policy::UsbDecision& decision, Outcome& outcome);
  void setAuthorized(const std::string& entry, bool current, bool wanted, Outcome& outcome);
  void applyInterface(const SysfsUsbDevice& seen, std::size_t index, bool wanted, Outcome& outcome);
  void makeReadOnly(const std::string& port, const std::string& block_device,
                    const policy::UsbDecision& decision);

  RootFs fs_;
  BlockDeviceControl& block_devices_;
  const Clock& clock_;
  UsbEnforcerEvents& events_;
  bool locked_ = false;
  std::optional<UsbEnforcementPolicy> policy_;
  LatencyWindow latencies_;
};

}  // namespace mamori::platform::linux
