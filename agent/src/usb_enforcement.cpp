#include "usb_enforcement.hpp"

#include <Poco/Logger.h>

#include <chrono>

namespace mamori::agent {
namespace {

platform::UsbEnforcementPolicy rulesOf(const policy::Policy& policy, policy::Segment segment) {
  return {policy.profile(segment).usb, policy.version};
}

}  // namespace

std::expected<std::unique_ptr<UsbEnforcement>, Error> UsbEnforcement::start(
    const UsbEnforcementOptions& options, const policy::Policy& policy, policy::Segment segment) {
  auto& log = Poco::Logger::get("mamori.usb");
  auto store = LocalStore::open(options.database);
  if (!store) return std::unexpected(store.error());
  std::unique_ptr<UsbEnforcement> u(new UsbEnforcement());
  u->commands_ = platform::makeSystemCommandRunner();
  u->notifier_ = std::make_unique<StaffNotifier>(*u->commands_, options.root, options.lang);
  u->recorder_ = std::make_unique<AuditRecorder>(std::move(*store), *u->notifier_, policy.contact,
                                                 options.root);
  auto enforcer = platform::makeUsbEnforcer({options.root, nullptr}, *u->recorder_);
  if (!enforcer) return std::unexpected(enforcer.error());
  u->enforcer_ = std::move(*enforcer);
  if (auto locked = u->enforcer_->lock(); !locked) {
    log.error("usb: not every USB controller could be locked: " + locked.error().describe());
  }
  if (auto applied = u->enforcer_->apply(rulesOf(policy, segment)); !applied) {
    log.error("usb: the present devices could not be judged: " + applied.error().describe());
  }
  log.information("usb: enforcement active (segment " + std::string(policy::segmentId(segment)) +
                  ", policy version " + std::to_string(policy.version) + ")");
  u->thread_ = std::thread([raw = u.get()] { raw->runLoop(); });
  return u;
}

UsbEnforcement::~UsbEnforcement() {
  stopping_ = true;
  if (enforcer_) enforcer_->stop();
  if (thread_.joinable()) thread_.join();
  enforcer_.reset();  // before the recorder it reports to
  recorder_.reset();
}

void UsbEnforcement::apply(const policy::Policy& policy, policy::Segment segment) {
  if (auto applied = enforcer_->apply(rulesOf(policy, segment)); !applied) {
    Poco::Logger::get("mamori.usb")
        .error("usb: the new policy could not be applied: " + applied.error().describe());
  }
}

// run() returns early only when the OS event source failed; the ports stay locked meanwhile,
// so a retry a moment later loses nothing but the time a plugged device waits.
void UsbEnforcement::runLoop() {
  while (!stopping_) {
    auto ran = enforcer_->run();
    if (ran || stopping_) return;
    Poco::Logger::get("mamori.usb")
        .error("usb: hot-plug events failed, retrying: " + ran.error().describe());
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace mamori::agent
