#pragma once

#include <chrono>

#include "mamori/policy/time.hpp"

namespace mamori::platform {

/// Where platform code gets the time, so tests can fix it (platform/fake's FakeClock).
class Clock {
 public:
  virtual ~Clock() = default;

  /// The wall clock, for records people read. Thread-safe.
  [[nodiscard]] virtual policy::TimePoint now() const = 0;
  /// A clock that never jumps, for durations (latencies). Thread-safe.
  [[nodiscard]] virtual std::chrono::steady_clock::time_point monotonic() const = 0;
};

/// The system's clocks (`system_clock`, `steady_clock`).
const Clock& systemClock();

}  // namespace mamori::platform
