#include "usb_audit.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "mamori/platform/console_session.hpp"
#include "mamori/protocol/messages.hpp"

namespace mamori::agent {
namespace {

std::string describe(const protocol::AuditEvent& e, const platform::UsbDecisionRecord& r) {
  std::string line =
      "usb: " + std::string(protocol::auditAction(e)) + " " + protocol::auditSubject(e) +
      " on port " + r.device.port + " by " + protocol::auditRule(e) + " (" +
      std::string(protocol::usbCauseId(std::get<protocol::UsbDecisionEvent>(e.what).cause));
  // A fixed key=value, so the latency can be read out of the journal (tests/e2e/usb does).
  if (r.decision_latency) line += ", latency_us=" + std::to_string(r.decision_latency->count());
  line += ")";
  if (!r.error.empty()) line += ": " + r.error;
  return line;
}

}  // namespace

AuditRecorder::AuditRecorder(LocalStore store, StaffNotifier& notifier, policy::Text contact,
                             std::filesystem::path root)
    : store_(std::move(store)),
      notifier_(notifier),
      contact_(std::move(contact)),
      root_(std::move(root)),
      writer_([this] { writeLoop(); }) {}

AuditRecorder::~AuditRecorder() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  writer_.join();
}

void AuditRecorder::onDecision(const platform::UsbDecisionRecord& record) {
  auto event = auditEventOf(record);
  Poco::Logger::get("mamori.usb").information(describe(event, record));
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(event));
  }
  changed_.notify_all();
}

void AuditRecorder::onReadOnly(const platform::UsbReadOnlyRecord& r) {
  auto& log = Poco::Logger::get("mamori.usb");
  if (r.error.empty()) {
    log.information("usb: /dev/" + r.block_device + " of " + r.medium + " (port " + r.port +
                    ") set read-only");
  } else {
    log.error("usb: /dev/" + r.block_device + " of " + r.medium + " (port " + r.port +
              ") could not be set read-only: " + r.error);
  }
}

void AuditRecorder::onError(const Error& error) {
  Poco::Logger::get("mamori.usb").error("usb enforcement: " + error.describe());
}

void AuditRecorder::flush() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.empty() && !writing_; });
}

void AuditRecorder::writeLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    auto event = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    record(std::move(event));
    lock.lock();
    writing_ = false;
    changed_.notify_all();
  }
}

// Who was at the console is looked up here rather than in the enforcer's callback: reading
// logind's files is I/O the enforcer should not wait for.
void AuditRecorder::record(protocol::AuditEvent event) {
  const auto console = platform::activeConsoleSession(root_);
  if (event.user.empty() && console) event.user = console->user;
  const auto body = boost::json::serialize(protocol::toJson(event));
  if (auto ok = store_.appendAudit(event.event_id, event.at, body); !ok) {
    Poco::Logger::get("mamori.usb")
        .error("usb: audit event " + event.event_id + " not logged: " + ok.error().describe() +
               "; the event was: " + body);
  }
  if (const auto notice = usbNotice(std::get<protocol::UsbDecisionEvent>(event.what), contact_)) {
    notifier_.notify(*notice, console);
  }
}

}  // namespace mamori::agent
