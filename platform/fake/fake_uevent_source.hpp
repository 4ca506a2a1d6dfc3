#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>

#include "uevent_source.hpp"

namespace mamori::platform::fake {

/// Hot-plug events a test hands to the Linux enforcer, in order. finish() lets a test run the
/// pump on its own thread: run() handles everything queued, then returns.
class FakeUeventSource final : public linux::UeventSource {
 public:
  /// Queues one datagram as the kernel would send it, received at `received`.
  void push(std::string datagram, std::chrono::steady_clock::time_point received = {}) {
    const std::scoped_lock guard(mutex_);
    queue_.push_back({std::move(datagram), received, false});
    changed_.notify_all();
  }
  /// Queues the news that the kernel dropped events.
  void pushEventsLost() {
    const std::scoped_lock guard(mutex_);
    queue_.push_back({{}, {}, true});
    changed_.notify_all();
  }
  /// No more events: next() returns nullopt once the queue is empty.
  void finish() {
    const std::scoped_lock guard(mutex_);
    finished_ = true;
    changed_.notify_all();
  }
  /// The next next() fails with `error`, as a broken socket would.
  void failWith(Error error) {
    const std::scoped_lock guard(mutex_);
    failure_ = std::move(error);
    changed_.notify_all();
  }

  std::expected<std::optional<linux::ReceivedUevent>, Error> next() override {
    std::unique_lock guard(mutex_);
    changed_.wait(guard, [&] { return stopped_ || finished_ || failure_ || !queue_.empty(); });
    if (stopped_) return std::nullopt;
    if (failure_) return std::unexpected(*failure_);
    if (queue_.empty()) return std::nullopt;
    auto event = std::move(queue_.front());
    queue_.pop_front();
    return event;
  }

  void stop() override {
    const std::scoped_lock guard(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<linux::ReceivedUevent> queue_;
  bool finished_ = false;
  bool stopped_ = false;
  std::optional<Error> failure_;
};

}  // namespace mamori::platform::fake
