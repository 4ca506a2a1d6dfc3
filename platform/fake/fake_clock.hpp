#pragma once

#include <atomic>
#include <chrono>

#include "mamori/platform/clock.hpp"

namespace mamori::platform::fake {

/// A clock tests set by hand. Its monotonic time advances by `step` at every reading, so a
/// duration measured between two readings is a known number of steps.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(policy::TimePoint now, std::chrono::microseconds step = {})
      : now_(now), step_(step) {}

  [[nodiscard]] policy::TimePoint now() const override { return now_; }
  [[nodiscard]] std::chrono::steady_clock::time_point monotonic() const override {
    return std::chrono::steady_clock::time_point{} + step_ * readings_.fetch_add(1);
  }

  void set(policy::TimePoint now) { now_ = now; }

 private:
  policy::TimePoint now_;
  std::chrono::microseconds step_;
  mutable std::atomic<long> readings_{0};
};

}  // namespace mamori::platform::fake
