#include "audit_writer.hpp"

#include "desktop_notice.hpp"
#include "event_log.hpp"

namespace mamori::agent::windows {

AuditWriter::AuditWriter(AuditLog& log) : log_(log), writer_([this] { writeLoop(); }) {}

AuditWriter::~AuditWriter() {
  {
    const std::scoped_lock guard(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  writer_.join();
}

void AuditWriter::post(std::optional<protocol::AuditEvent> event, WORD type, std::string line,
                       std::optional<StaffNotice> notice) {
  {
    const std::scoped_lock guard(mutex_);
    queue_.push_back({std::move(event), type, std::move(line), std::move(notice)});
  }
  changed_.notify_all();
}

void AuditWriter::flush() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void AuditWriter::writeLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything written
    auto entry = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    // Kept for the collector first (USB-3): the event log is the PC's only.
    if (entry.event && !log_.append(*entry.event)) {
      logEvent(EVENTLOG_ERROR_TYPE, "mamori: an event could not be kept in the audit log");
    }
    if (!entry.line.empty()) logEvent(entry.type, entry.line);
    if (entry.notice) showOnConsole(*entry.notice);
    lock.lock();
    writing_ = false;
    changed_.notify_all();
  }
}

}  // namespace mamori::agent::windows
