#include "latency_window.hpp"

#include <algorithm>

namespace mamori::platform {

void LatencyWindow::add(std::chrono::microseconds latency) {
  if (samples_.size() < capacity_) {
    samples_.push_back(latency);
    return;
  }
  samples_[oldest_] = latency;
  oldest_ = (oldest_ + 1) % capacity_;
}

UsbLatencySummary LatencyWindow::summary() const {
  UsbLatencySummary s;
  s.samples = samples_.size();
  if (samples_.empty()) return s;
  auto sorted = samples_;
  std::ranges::sort(sorted);
  // Nearest rank: the smallest sample at or above the given share of all samples.
  const auto rank = [&](std::size_t percent) {
    const auto index = (percent * sorted.size() + 99) / 100;
    return sorted[std::max<std::size_t>(index, 1) - 1];
  };
  s.p50 = rank(50);
  s.p99 = rank(99);
  s.max = sorted.back();
  return s;
}

}  // namespace mamori::platform
