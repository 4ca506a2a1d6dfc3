#include "service_usb.hpp"

#include <algorithm>

#include "audit_events.hpp"
#include "event_log.hpp"

namespace mamori::agent::windows {
namespace {

// `blocked`, `allowed` or `storage blocked` (a composite device whose other functions work).
std::string_view outcome(const policy::UsbDecision& decision) {
  if (!decision.authorize_device) return "blocked";
  const bool any_blocked = std::ranges::any_of(
      decision.interfaces, [](const policy::UsbInterfaceDecision& i) { return !i.authorized; });
  return any_blocked ? "storage blocked" : "allowed";
}

}  // namespace

std::unique_ptr<ServiceUsb> ServiceUsb::start(const policy::Policy& policy, policy::Segment segment,
                                              SERVICE_STATUS_HANDLE service, AuditLog& audit) {
  std::unique_ptr<ServiceUsb> usb(new ServiceUsb());
  usb->writer_ = std::make_unique<AuditWriter>(audit);
  usb->enforcer_ =
      platform::windows::makeWindowsUsbEnforcer(platform::windows::systemUsbEnforcerParts(), *usb);
  if (auto locked = usb->enforcer_->lock(); !locked) {
    logEvent(EVENTLOG_ERROR_TYPE,
             "mamori: USB storage could not be locked: " + locked.error().describe());
  }
  usb->update(policy, segment);
  // Without device events a plug is still judged, at the next rescan (seconds).
  if (auto events = platform::windows::registerUsbDeviceEvents(service); events) {
    usb->notifications_ = std::move(*events);
  } else {
    logEvent(EVENTLOG_WARNING_TYPE, "mamori: " + events.error());
  }
  usb->thread_ = std::thread([raw = usb.get()] {
    if (auto ran = raw->enforcer_->run(); !ran) raw->onError(ran.error());
    SetEvent(raw->finished_);
  });
  return usb;
}

ServiceUsb::~ServiceUsb() {
  if (thread_.joinable()) (void)stop(std::chrono::milliseconds{INFINITE});
  CloseHandle(finished_);
}

bool ServiceUsb::stop(std::chrono::milliseconds limit) {
  for (const auto handle : std::exchange(notifications_, {})) UnregisterDeviceNotification(handle);
  enforcer_->stop();
  if (WaitForSingleObject(finished_, static_cast<DWORD>(limit.count())) != WAIT_OBJECT_0) {
    logEvent(EVENTLOG_WARNING_TYPE, "mamori: the USB listener did not stop in time");
    return false;
  }
  thread_.join();
  return true;
}

void ServiceUsb::update(const policy::Policy& policy, policy::Segment segment) {
  {
    const std::scoped_lock guard(contact_mutex_);
    contact_ = policy.contact;
  }
  if (policy.version == applied_version_ && segment == applied_segment_) return;
  if (auto applied = enforcer_->apply({policy.profile(segment).usb, policy.version}); !applied) {
    logEvent(EVENTLOG_ERROR_TYPE,
             "mamori: USB devices could not be judged: " + applied.error().describe());
    return;
  }
  applied_version_ = policy.version;
  applied_segment_ = segment;
  logEvent(EVENTLOG_INFORMATION_TYPE,
           "mamori: USB enforcement active (segment " + std::string(policy::segmentId(segment)) +
               ", policy version " + std::to_string(policy.version) + ")");
}

// Called on the enforcer's thread while it holds its lock: the writing is the writer's.
void ServiceUsb::onDecision(const platform::UsbDecisionRecord& record) {
  const auto& d = record.device;
  std::string text = "mamori: USB " + d.vidPid() + " " + d.product +
                     (d.serial.empty() ? " (no serial)" : " (serial " + d.serial + ")") + " at " +
                     d.port + ": " + std::string(outcome(record.decision)) + " (" +
                     std::string(policy::usbRuleId(record.decision.rule)) + ")";
  if (record.decision.medium) text += ", registered as " + record.decision.medium->label;
  if (!record.error.empty()) text += "; not applied: " + record.error;
  const bool warn = !record.error.empty() || outcome(record.decision) != "allowed";
  auto event = auditEventOf(record);
  std::optional<StaffNotice> notice;
  {
    const std::scoped_lock guard(contact_mutex_);
    notice = usbNotice(std::get<protocol::UsbDecisionEvent>(event.what), contact_);
  }
  writer_->post(std::move(event), warn ? EVENTLOG_WARNING_TYPE : EVENTLOG_INFORMATION_TYPE,
                std::move(text), std::move(notice));
}

void ServiceUsb::onReadOnly(const platform::UsbReadOnlyRecord& record) {
  writer_->post(std::nullopt,
                record.error.empty() ? EVENTLOG_INFORMATION_TYPE : EVENTLOG_WARNING_TYPE,
                "mamori: USB medium " + record.medium + " at " + record.port + ": " +
                    (record.error.empty() ? "read-only" : record.error));
}

void ServiceUsb::onError(const Error& error) {
  writer_->post(std::nullopt, EVENTLOG_ERROR_TYPE, "mamori: USB: " + error.describe());
}

}  // namespace mamori::agent::windows
