#pragma once

// Removable-media enforcement in the Windows service (USB-1..USB-3): the platform's enforcer
// locked at start, given the segment's USB rules, judging hot-plugs on a thread of its own, and
// every decision kept in the audit log and written to the Application log (by AuditWriter).

#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "audit_log.hpp"
#include "audit_writer.hpp"
#include "mamori/policy/policy.hpp"
#include "usb_devices.hpp"
#include "windows_usb_enforcer.hpp"

namespace mamori::agent::windows {

class ServiceUsb final : platform::UsbEnforcerEvents {
 public:
  /// Locks and applies `policy`'s rules for `segment`, and has the SCM send `service` USB device
  /// events; failures are logged, and what could be locked stays locked.
  /// Each decision is logged in `audit` (which must outlive this) and the event log.
  static std::unique_ptr<ServiceUsb> start(const policy::Policy& policy, policy::Segment segment,
                                           SERVICE_STATUS_HANDLE service, AuditLog& audit);
  /// Stops listening and waits for the listening thread; the restrictions stay in force (fail
  /// closed). Call stop() first when the wait must be bounded.
  ~ServiceUsb() override;
  /// Asks the listener to stop and waits up to `limit` for it; false when it did not finish
  /// (a Windows call that does not return): then the object must not be destroyed, and the
  /// process, about to end, takes the thread with it.
  bool stop(std::chrono::milliseconds limit);
  ServiceUsb(const ServiceUsb&) = delete;
  ServiceUsb& operator=(const ServiceUsb&) = delete;

  /// Applies the rules again when the policy's version or the segment changed.
  void update(const policy::Policy& policy, policy::Segment segment);

  /// SERVICE_CONTROL_DEVICEEVENT: a USB device or a disk came or went. Thread-safe.
  void deviceChanged() { enforcer_->deviceChanged(); }

 private:
  ServiceUsb() = default;
  void onDecision(const platform::UsbDecisionRecord& record) override;
  void onReadOnly(const platform::UsbReadOnlyRecord& record) override;
  void onError(const Error& error) override;

  std::unique_ptr<AuditWriter> writer_;  ///< outlives the enforcer (declared first)
  std::mutex contact_mutex_;
  policy::Text contact_;  ///< the policy's help desk, named in the staff's notices
  std::unique_ptr<platform::windows::WindowsUsbEnforcer> enforcer_;
  std::vector<HDEVNOTIFY> notifications_;
  std::int64_t applied_version_ = -1;
  policy::Segment applied_segment_ = policy::Segment::kLgwan;
  std::thread thread_;
  /// Set by the listening thread as it ends (manual reset).
  HANDLE finished_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
};

}  // namespace mamori::agent::windows
