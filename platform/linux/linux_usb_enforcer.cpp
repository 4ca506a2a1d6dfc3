#include "linux_usb_enforcer.hpp"

#include <mutex>

#include "mamori/platform/uevent.hpp"
#include "usb_authorizer.hpp"

namespace mamori::platform::linux {
namespace {

// The event pump around UsbAuthorizer: one mutex serialises hot-plug handling with lock()
// and apply() from the agent's other threads, so a new policy and a plug-in never interleave.
class LinuxUsbEnforcer final : public UsbEnforcer {
 public:
  LinuxUsbEnforcer(LinuxUsbEnforcerParts parts, UsbEnforcerEvents& events)
      : uevents_(std::move(parts.uevents)),
        block_devices_(std::move(parts.block_devices)),
        events_(events),
        authorizer_(RootFs(parts.root), *block_devices_, *parts.clock, events) {}

  std::expected<void, Error> lock() override {
    const std::scoped_lock guard(mutex_);
    return authorizer_.lock();
  }

  std::expected<void, Error> apply(const UsbEnforcementPolicy& policy) override {
    const std::scoped_lock guard(mutex_);
    return authorizer_.apply(policy);
  }

  std::expected<void, Error> run() override {
    while (true) {
      auto next = uevents_->next();
      if (!next) return std::unexpected(next.error());
      if (!*next) return {};  // stopped
      const std::scoped_lock guard(mutex_);
      if ((*next)->events_lost) {
        events_.onError(
            makeError(ErrorCode::kIo, "the kernel dropped USB events; judging every device again"));
        authorizer_.rescan();
        continue;
      }
      if (auto event = parseUevent((*next)->datagram)) {
        authorizer_.handle(*event, (*next)->received);
      } else {
        events_.onError(makeError(ErrorCode::kParse, "uevent ignored: " + event.error()));
      }
    }
  }

  void stop() override { uevents_->stop(); }

  [[nodiscard]] UsbLatencySummary latency() const override {
    const std::scoped_lock guard(mutex_);
    return authorizer_.latency();
  }

 private:
  std::unique_ptr<UeventSource> uevents_;
  std::unique_ptr<BlockDeviceControl> block_devices_;
  UsbEnforcerEvents& events_;
  mutable std::mutex mutex_;
  UsbAuthorizer authorizer_;
};

}  // namespace

std::unique_ptr<UsbEnforcer> makeLinuxUsbEnforcer(LinuxUsbEnforcerParts parts,
                                                  UsbEnforcerEvents& events) {
  return std::make_unique<LinuxUsbEnforcer>(std::move(parts), events);
}

}  // namespace mamori::platform::linux

namespace mamori::platform {

std::expected<std::unique_ptr<UsbEnforcer>, Error> makeUsbEnforcer(UsbEnforcerOptions options,
                                                                   UsbEnforcerEvents& events) {
  auto uevents = linux::openKernelUevents();
  if (!uevents) return std::unexpected(uevents.error());
  linux::LinuxUsbEnforcerParts parts;
  parts.root = std::move(options.root);
  parts.uevents = std::move(*uevents);
  parts.block_devices = linux::makeBlockDeviceControl();
  parts.clock = options.clock != nullptr ? options.clock : &systemClock();
  return linux::makeLinuxUsbEnforcer(std::move(parts), events);
}

}  // namespace mamori::platform
