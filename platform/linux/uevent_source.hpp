#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "mamori/error.hpp"

namespace mamori::platform::linux {

struct ReceivedUevent {
  std::string datagram;  ///< one kernel uevent message, undecoded; empty when events_lost
  std::chrono::steady_clock::time_point received;
  /// The kernel dropped events because the receive buffer was full: whatever they announced
  /// must be found by reading sysfs again.
  bool events_lost = false;
};

/// Where hot-plug events come from. The kernel's netlink socket in the agent; a queue the
/// test fills in unit tests (platform/fake).
class UeventSource {
 public:
  virtual ~UeventSource() = default;

  /// Waits for the next event; nullopt once stop() was called (also when events are pending).
  /// Errors: the source failed and will deliver nothing more.
  virtual std::expected<std::optional<ReceivedUevent>, Error> next() = 0;

  /// Makes a waiting and every later next() return nullopt. Thread-safe.
  virtual void stop() = 0;
};

/// The kernel's own uevents: a `NETLINK_KOBJECT_UEVENT` socket bound to group 1, so the
/// enforcer works without udev (and whatever udev rules say). Messages not sent by the kernel
/// are dropped. Events queue from the moment this returns. Errors: the socket cannot be made.
std::expected<std::unique_ptr<UeventSource>, Error> openKernelUevents();

}  // namespace mamori::platform::linux
