#pragma once

// The enforcer's decisions as audit events (USB-3, 第43条, 第123条): logged durably in
// agent.db, told to the staff member when something was blocked, and sent with the next report.

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "audit_events.hpp"
#include "local_store.hpp"
#include "mamori/platform/usb_enforcer.hpp"
#include "mamori/protocol/audit_event.hpp"
#include "staff_notice.hpp"

namespace mamori::agent {

/// Receives the enforcer's reports and does the slow part on a thread of its own: the enforcer
/// calls back while it holds its lock, and a durable commit (fsync) or a desktop notification
/// takes milliseconds the next hot-plug should not wait for.
class AuditRecorder final : public platform::UsbEnforcerEvents {
 public:
  /// `store` is a connection of its own to agent.db (LocalStore is not thread-safe). `root` is
  /// where the console session is looked up (`/` on a live system).
  AuditRecorder(LocalStore store, StaffNotifier& notifier, policy::Text contact,
                std::filesystem::path root);
  /// Writes what is still queued, then stops.
  ~AuditRecorder() override;
  AuditRecorder(const AuditRecorder&) = delete;
  AuditRecorder& operator=(const AuditRecorder&) = delete;

  void onDecision(const platform::UsbDecisionRecord& record) override;
  void onReadOnly(const platform::UsbReadOnlyRecord& record) override;
  void onError(const Error& error) override;

  /// Blocks until every event received so far is in agent.db (or failed to be written).
  void flush();

 private:
  void writeLoop();
  void record(protocol::AuditEvent event);

  LocalStore store_;
  StaffNotifier& notifier_;
  policy::Text contact_;
  std::filesystem::path root_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<protocol::AuditEvent> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace mamori::agent
