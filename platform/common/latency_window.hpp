#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <vector>

#include "mamori/platform/usb_enforcer.hpp"

namespace mamori::platform {

/// The last `capacity` decision latencies, summarised on demand. Recent ones only, so the
/// figures describe the machine as it is now and memory stays bounded.
class LatencyWindow {
 public:
  explicit LatencyWindow(std::size_t capacity = 1024)
      : capacity_(std::max<std::size_t>(capacity, 1)) {}

  void add(std::chrono::microseconds latency);
  /// Nearest-rank percentiles over the window; all zero when it is empty.
  [[nodiscard]] UsbLatencySummary summary() const;

 private:
  std::size_t capacity_;
  std::vector<std::chrono::microseconds> samples_;
  std::size_t oldest_ = 0;  ///< where the next sample goes once the window is full
};

}  // namespace mamori::platform
