#pragma once

// Removable-media enforcement inside `mamori-agent run` (USB-1..USB-3): the ports are locked
// before anything else, the devices already present are judged, and hot-plugs are judged on a
// thread of their own for as long as the service runs. Stopping leaves the ports locked.

#include <atomic>
#include <expected>
#include <filesystem>
#include <memory>
#include <thread>

#include "mamori/platform/command_runner.hpp"
#include "mamori/platform/usb_enforcer.hpp"
#include "mamori/policy/policy.hpp"
#include "usb_audit.hpp"

namespace mamori::agent {

struct UsbEnforcementOptions {
  std::filesystem::path root = "/";  ///< the OS's files; a fixture tree in tests
  std::filesystem::path database;    ///< agent.db, for the audit log
  policy::Lang lang = policy::Lang::kJa;
};

class UsbEnforcement {
 public:
  /// Locks every USB controller, judges the present devices under `policy`'s rules for
  /// `segment`, and starts judging hot-plugs. A controller that cannot be locked (no
  /// permission) is logged and the rest goes on. Errors: the audit log cannot be opened, or
  /// the OS offers no hot-plug events.
  static std::expected<std::unique_ptr<UsbEnforcement>, Error> start(
      const UsbEnforcementOptions& options, const policy::Policy& policy, policy::Segment segment);

  /// Stops judging hot-plugs and writes the audit events still queued. The ports stay locked:
  /// what is plugged in afterwards waits, unauthorised, for the next agent (fail closed).
  ~UsbEnforcement();
  UsbEnforcement(const UsbEnforcement&) = delete;
  UsbEnforcement& operator=(const UsbEnforcement&) = delete;

  /// Judges every present device again under a new policy; hot-plugs follow it from now on.
  void apply(const policy::Policy& policy, policy::Segment segment);

  [[nodiscard]] platform::UsbLatencySummary latency() const { return enforcer_->latency(); }

 private:
  UsbEnforcement() = default;
  void runLoop();

  std::unique_ptr<platform::CommandRunner> commands_;
  std::unique_ptr<StaffNotifier> notifier_;
  std::unique_ptr<AuditRecorder> recorder_;
  std::unique_ptr<platform::UsbEnforcer> enforcer_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace mamori::agent
