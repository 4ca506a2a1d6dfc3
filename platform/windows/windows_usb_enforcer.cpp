// The Windows UsbEnforcer. Windows itself holds storage-like USB functions back through the
// Device Installation Restrictions mamori writes (lock(), apply()); they act from boot on, also
// while the agent is not running. The enforcer judges every present device with the same
// policy::decideUsb as Linux, disables running functions the policy blocks (installed before
// the restrictions were in force), enables again what it disabled once the policy allows it,
// makes the disks of registered read-only media read-only as they appear (or disables the
// medium when that fails: fail closed, as on Linux), and reports each decision. run() looks at the
// bus when told a device came or went (deviceChanged(), which the service calls for
// SERVICE_CONTROL_DEVICEEVENT) and every rescan interval, on its own thread. It waits on an event,
// not on a window's message queue: a service has no interactive desktop, and a device event handled
// later on run()'s thread, not inside the notification, never makes the PnP manager wait on a
// disable it triggered itself.

#include "windows_usb_enforcer.hpp"

#include <windows.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "../decode/text_lines.hpp"
#include "device_install_policy.hpp"
#include "disk_devices.hpp"
#include "latency_window.hpp"
#include "registry.hpp"
#include "usb_devices.hpp"
#include "windows_error.hpp"

namespace mamori::platform::windows {
namespace {

// The functions mamori disabled, so that only those are ever enabled again: a device an
// administrator disabled stays disabled. Value names are instance ids.
constexpr std::string_view kDisabledKey = R"(SOFTWARE\mamori\Agent\UsbDisabled)";

using textscan::asciiLower;
using textscan::equalsIgnoringCase;

Error ioError(std::string message) { return makeError(ErrorCode::kIo, std::move(message)); }

class PnpUsbEnforcer final : public WindowsUsbEnforcer {
 public:
  PnpUsbEnforcer(WindowsUsbEnforcerParts parts, UsbEnforcerEvents& events)
      : parts_(std::move(parts)),
        clock_(*parts_.clock),
        events_(events),
        wake_(CreateEventW(nullptr, FALSE, FALSE, nullptr)) {}
  ~PnpUsbEnforcer() override { CloseHandle(wake_); }
  PnpUsbEnforcer(const PnpUsbEnforcer&) = delete;
  PnpUsbEnforcer& operator=(const PnpUsbEnforcer&) = delete;

  // Whatever the restrictions said before, mass storage and imaging (the built-in storage-like
  // kinds) are denied from now on; the allow list stays as the last policy left it.
  std::expected<void, Error> lock() override {
    const std::scoped_lock guard(mutex_);
    auto restrictions = readDeviceInstallRestrictions();
    if (!restrictions) return std::unexpected(ioError(restrictions.error()));
    for (auto& id : deviceInstallRestrictions(policy::UsbRules{}).deny_device_ids) {
      if (std::ranges::find(restrictions->deny_device_ids, id) ==
          restrictions->deny_device_ids.end()) {
        restrictions->deny_device_ids.push_back(std::move(id));
      }
    }
    if (auto written = writeDeviceInstallRestrictions(*restrictions); !written) {
      return std::unexpected(ioError(written.error()));
    }
    return {};
  }

  std::expected<void, Error> apply(const UsbEnforcementPolicy& policy) override {
    const std::scoped_lock guard(mutex_);
    if (auto written = writeDeviceInstallRestrictions(deviceInstallRestrictions(policy.rules));
        !written) {
      return std::unexpected(ioError(written.error()));
    }
    policy_ = policy;
    known_.clear();
    read_only_media_.clear();
    return judge(UsbDecisionCause::kPolicyApplied, std::nullopt);
  }

  std::expected<void, Error> run() override {
    // The first look catches devices plugged between apply() and now; then one per wake-up
    // (a device event) or per rescan interval.
    while (true) {
      {
        const std::scoped_lock guard(mutex_);
        if (stopped_) return {};
      }
      look();
      const DWORD waited =
          WaitForSingleObject(wake_, static_cast<DWORD>(parts_.rescan_interval.count()));
      if (waited == WAIT_FAILED) {
        return std::unexpected(
            ioError("waiting for USB events failed: " + describeWin32Error(GetLastError())));
      }
    }
  }

  void stop() override {
    const std::scoped_lock guard(mutex_);
    stopped_ = true;
    SetEvent(wake_);
  }

  void deviceChanged() override {
    const std::scoped_lock guard(mutex_);
    if (!pending_since_) pending_since_ = clock_.monotonic();
    SetEvent(wake_);
  }

  [[nodiscard]] UsbLatencySummary latency() const override {
    const std::scoped_lock guard(mutex_);
    return latencies_.summary();
  }

 private:
  struct ReadOnlyMedium {
    std::string instance_id;  ///< the USB device's
    std::string port;
    std::string label;  ///< the ledger's
  };

  // A device event since the last look makes this look a hot-plug (with its latency);
  // otherwise it is the timer's rescan.
  void look() {
    const std::scoped_lock guard(mutex_);
    const auto received = std::exchange(pending_since_, std::nullopt);
    if (!policy_) return;  // before the first apply(), the restrictions of lock() hold
    const auto cause = received ? UsbDecisionCause::kPlugged : UsbDecisionCause::kRescan;
    if (auto judged = judge(cause, received); !judged) events_.onError(judged.error());
  }

  // Judges the devices not judged since the last apply() (all of them after apply()). Devices
  // that left are forgotten, so a stick plugged again is judged again.
  std::expected<void, Error> judge(UsbDecisionCause cause,
                                   std::optional<std::chrono::steady_clock::time_point> received) {
    const auto nodes = parts_.read_nodes();
    if (!nodes) return std::unexpected(ioError(nodes.error()));
    const auto bus = windowsUsbBus(*nodes);
    auto disabled = disabledByMamori();
    std::set<std::string> present;
    for (const auto& entry : bus.devices) {
      // A device whose functions Windows has not listed yet (a composite device just plugged)
      // is judged once it has them; until then Windows' restrictions hold its storage back.
      if (entry.device.interfaces.empty()) continue;
      const auto id = asciiLower(entry.instance_id);
      present.insert(id);
      if (known_.contains(id)) continue;
      judgeDevice(entry, cause, received, disabled);
    }
    known_ = std::move(present);
    std::erase_if(read_only_media_,
                  [&](const auto& medium) { return !known_.contains(medium.first); });
    protectReadOnlyMedia();
    return {};
  }

  void judgeDevice(const WindowsUsbDevice& entry, UsbDecisionCause cause,
                   std::optional<std::chrono::steady_clock::time_point> received,
                   std::vector<std::string>& disabled) {
    UsbDecisionRecord record;
    record.at = clock_.now();
    record.cause = cause;
    record.device = entry.device;
    record.decision = policy::decideUsb(policy_->rules, entry.device);
    record.policy_version = policy_->version;
    for (const auto& change : usbNodeChanges(entry, record.decision, disabled)) {
      // Noted before disabling: a node mamori disabled must never be left without the note
      // that lets mamori enable it again.
      if (!change.enable && !remember(change.instance_id, true, disabled, record.error)) continue;
      if (auto done = parts_.set_enabled(change.instance_id, change.enable); !done) {
        record.error += (record.error.empty() ? "" : "; ") + done.error();
        if (!change.enable) remember(change.instance_id, false, disabled, record.error);
        continue;
      }
      record.changed = true;
      if (change.enable) remember(change.instance_id, false, disabled, record.error);
    }
    if (received) {
      const auto latency =
          std::chrono::duration_cast<std::chrono::microseconds>(clock_.monotonic() - *received);
      record.decision_latency = latency;
      latencies_.add(latency);
    }
    events_.onDecision(record);
    if (record.decision.read_only && record.decision.authorize_device) {
      read_only_media_.insert_or_assign(
          asciiLower(entry.instance_id),
          ReadOnlyMedium{entry.instance_id, entry.device.port,
                         record.decision.medium ? record.decision.medium->label : ""});
    }
  }

  // Makes the disks of the read-only media present read-only, each once while it is present.
  // A disk arrives after its device was judged (once Windows installed the storage function),
  // so every look checks for new ones while such a medium is plugged in.
  void protectReadOnlyMedia() {
    if (read_only_media_.empty()) {
      read_only_disks_.clear();
      return;
    }
    const auto disks = parts_.read_disks();
    if (!disks) {
      events_.onError(ioError("read-only media: " + disks.error()));
      return;
    }
    std::set<std::string> present;
    for (const auto& disk : *disks) present.insert(asciiLower(disk.instance_id));
    std::erase_if(read_only_disks_, [&](const std::string& id) { return !present.contains(id); });
    for (const auto& [id, medium] : read_only_media_) {
      for (const auto& disk : disksOfUsbDevice(*disks, medium.instance_id)) {
        if (read_only_disks_.insert(asciiLower(disk.instance_id)).second) {
          makeReadOnly(medium, disk);
        }
      }
    }
  }

  void makeReadOnly(const ReadOnlyMedium& medium, const PnpDisk& disk) {
    UsbReadOnlyRecord record;
    record.port = medium.port;
    record.block_device = disk.instance_id;
    record.medium = medium.label;
    if (auto done = parts_.set_disk_read_only(disk); !done) {
      // A medium the policy wants read-only must not stay writable: disable it (its disks go
      // with it), noted so that mamori enables it again under a later policy.
      record.error = done.error();
      std::vector<std::string> disabled = disabledByMamori();
      std::string failed;
      if (remember(medium.instance_id, true, disabled, failed)) {
        if (auto off = parts_.set_enabled(medium.instance_id, false); !off) {
          remember(medium.instance_id, false, disabled, failed);
          failed = off.error();
        }
      }
      record.error +=
          failed.empty() ? "; the device was disabled" : "; disabling it failed too: " + failed;
    }
    record.at = clock_.now();
    events_.onReadOnly(record);
  }

  static std::vector<std::string> disabledByMamori() {
    const auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, kDisabledKey);
    return key ? key->valueNames() : std::vector<std::string>{};
  }

  // Adds `instance_id` to (or removes it from) the nodes mamori disabled, in the registry and
  // in `disabled`; false, with the reason in `error`, when the registry refused.
  static bool remember(const std::string& instance_id, bool is_disabled,
                       std::vector<std::string>& disabled, std::string& error) {
    auto key = WritableRegistryKey::create(HKEY_LOCAL_MACHINE, kDisabledKey);
    auto written = !key          ? std::expected<void, std::string>(std::unexpected(key.error()))
                   : is_disabled ? key->setString(instance_id, "disabled by mamori")
                                 : key->remove(instance_id);
    if (!written) {
      error += (error.empty() ? "" : "; ") + written.error();
      return false;
    }
    std::erase_if(disabled,
                  [&](const std::string& d) { return equalsIgnoringCase(d, instance_id); });
    if (is_disabled) disabled.push_back(instance_id);
    return true;
  }

  WindowsUsbEnforcerParts parts_;
  const Clock& clock_;
  UsbEnforcerEvents& events_;
  mutable std::mutex mutex_;
  std::optional<UsbEnforcementPolicy> policy_;
  std::set<std::string> known_;  ///< lower-case instance ids judged and still present
  /// Present devices judged registered read-only media, by lower-case instance id.
  std::map<std::string, ReadOnlyMedium> read_only_media_;
  /// Lower-case instance ids of the disks made read-only (or tried), while present.
  std::set<std::string> read_only_disks_;
  LatencyWindow latencies_;
  HANDLE wake_;  ///< auto-reset: a device event, or stop()
  bool stopped_ = false;
  /// When the first device event since the last look arrived.
  std::optional<std::chrono::steady_clock::time_point> pending_since_;
};

}  // namespace

std::unique_ptr<WindowsUsbEnforcer> makeWindowsUsbEnforcer(WindowsUsbEnforcerParts parts,
                                                           UsbEnforcerEvents& events) {
  return std::make_unique<PnpUsbEnforcer>(std::move(parts), events);
}

WindowsUsbEnforcerParts systemUsbEnforcerParts(const Clock* clock) {
  WindowsUsbEnforcerParts parts;
  parts.read_nodes = readUsbDeviceNodes;
  parts.set_enabled = setUsbFunctionEnabled;
  parts.read_disks = readDisks;
  parts.set_disk_read_only = setDiskReadOnly;
  parts.clock = clock != nullptr ? clock : &systemClock();
  return parts;
}

}  // namespace mamori::platform::windows

namespace mamori::platform {

std::expected<std::unique_ptr<UsbEnforcer>, Error> makeUsbEnforcer(UsbEnforcerOptions options,
                                                                   UsbEnforcerEvents& events) {
  return windows::makeWindowsUsbEnforcer(windows::systemUsbEnforcerParts(options.clock), events);
}

}  // namespace mamori::platform
