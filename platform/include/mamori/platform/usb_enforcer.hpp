#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "mamori/error.hpp"
#include "mamori/platform/clock.hpp"
#include "mamori/policy/facts.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/usb_decision.hpp"

namespace mamori::platform {

// Removable-media enforcement (USB-1..USB-3): the OS holds every new USB device back until
// mamori has judged it (policy::decideUsb), and mamori tells the agent every decision so it can
// be audited. Fail closed: nothing here ever lets the OS authorise devices by itself again.

/// What the enforcer applies: one segment's USB rules, and the version of the policy they
/// came from (carried into every record).
struct UsbEnforcementPolicy {
  policy::UsbRules rules;
  std::int64_t version = 0;
};

/// Why a device was judged when it was.
enum class UsbDecisionCause {
  kPolicyApplied,  ///< by apply(): present when the agent started, or a new policy arrived
  kPlugged,        ///< plugged in (or arrived with a new USB controller) while running
  kRescan,         ///< judged again because the OS dropped hot-plug events
};

/// One decision about one device, for the audit log (USB-3, 第43条).
struct UsbDecisionRecord {
  policy::TimePoint at;
  UsbDecisionCause cause = UsbDecisionCause::kPlugged;
  /// Identity (port, VID, PID, serial, manufacturer, product) and the interfaces judged, in
  /// the order of `decision.interfaces`. `authorized` flags are as mamori found them (for the
  /// interfaces of a device mamori just authorised: as the kernel created them).
  policy::UsbDevice device;
  policy::UsbDecision decision;
  std::int64_t policy_version = 0;
  /// Whether mamori changed the device's or an interface's authorisation (false: the OS state
  /// already matched the decision, e.g. a blocked stick that was never authorised).
  bool changed = false;
  /// Empty when the decision was fully applied; else what failed (a write the OS refused, a
  /// device that vanished meanwhile). A device that could not be authorised stays unusable.
  std::string error;
  /// Hot-plug only: from receiving the OS event to issuing the device's authorisation write
  /// (or deciding none was needed). The latency the enforcer is answerable for.
  std::optional<std::chrono::microseconds> decision_latency;
  /// Left empty by the enforcer: the agent knows who is logged in.
  std::string user;
};

/// A registered medium's block device was made read-only (or could not be).
struct UsbReadOnlyRecord {
  policy::TimePoint at;
  std::string port;          ///< the USB device: `2-1`
  std::string block_device;  ///< `sdb`, `sdb1`
  std::string medium;        ///< the ledger's label
  std::string error;         ///< empty on success
};

/// Decision latencies of recent hot-plugs (the target: p99 ≤ 5 ms).
struct UsbLatencySummary {
  std::size_t samples = 0;  ///< how many recent hot-plugs these figures cover
  std::chrono::microseconds p50{};
  std::chrono::microseconds p99{};
  std::chrono::microseconds max{};
};

/// Where the enforcer reports. Called on the thread that made the decision (run()'s or
/// apply()'s caller) while the enforcer holds its lock: return quickly (queue the record for the
/// audit store) and do not call back into the enforcer.
class UsbEnforcerEvents {
 public:
  virtual ~UsbEnforcerEvents() = default;
  virtual void onDecision(const UsbDecisionRecord& record) = 0;
  virtual void onReadOnly(const UsbReadOnlyRecord& record) = 0;
  /// A problem that concerns no single device: a USB controller that could not be locked, a
  /// malformed or undeliverable OS event. Enforcement goes on.
  virtual void onError(const Error& error) = 0;
};

/// Removable-media enforcement on this OS. lock(), apply() and latency() may be called from
/// any thread, also while run() runs in another; they are serialised.
class UsbEnforcer {
 public:
  /// Ends enforcement without unlocking anything: devices plugged afterwards stay unauthorised
  /// until an enforcer judges them (fail closed).
  virtual ~UsbEnforcer() = default;

  /// Makes every USB controller hold new devices (and new interfaces) back until they are
  /// judged; controllers that appear later are locked as they appear. Idempotent. The error
  /// names the controllers that could not be locked (others are locked regardless).
  virtual std::expected<void, Error> lock() = 0;

  /// Judges every present device under `policy`, authorising or deauthorising it and its
  /// interfaces, making registered read-only media read-only, and reporting each decision;
  /// later hot-plugs are judged under it too. Call at start (after lock()) and on every policy
  /// change. Errors: the USB devices cannot be read at all. Before the first apply(), plugged
  /// devices wait, unauthorised.
  virtual std::expected<void, Error> apply(const UsbEnforcementPolicy& policy) = 0;

  /// Judges hot-plugs on the calling thread until stop(). Events that happen between the
  /// enforcer's creation and run() are not lost: they are handled when run() starts. Errors:
  /// the OS event source failed (enforcement by lock() still holds; run() may be called again).
  virtual std::expected<void, Error> run() = 0;

  /// Makes run() return soon, and any later run() at once. Thread-safe; idempotent.
  virtual void stop() = 0;

  /// Decision latencies of the last hot-plugs.
  [[nodiscard]] virtual UsbLatencySummary latency() const = 0;
};

struct UsbEnforcerOptions {
  /// The OS's files (sysfs, /dev) are used below this directory; `/` on a live system.
  std::filesystem::path root = "/";
  /// Stamps records and measures latencies; null: the system clock.
  const Clock* clock = nullptr;
};

/// The enforcer of this platform. It starts listening for hot-plug events at once, so none is
/// missed between apply() and run(). `events` must outlive it. Errors: the OS event source
/// cannot be opened.
std::expected<std::unique_ptr<UsbEnforcer>, Error> makeUsbEnforcer(UsbEnforcerOptions options,
                                                                   UsbEnforcerEvents& events);

}  // namespace mamori::platform
