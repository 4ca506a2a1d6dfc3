#pragma once

// Group commit: writers that arrive while a transaction is being committed wait, and the next of
// them commits everything that queued up meanwhile in one transaction. Under load one commit
// (its locks, its log write, its sync) serves many reports; with a single writer it is a plain
// transaction and adds no waiting. No thread of its own: a waiting writer becomes the leader.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace mamori::collector {

template <class Request, class Result>
class GroupCommit {
 public:
  struct Slot {
    const Request& request;
    std::optional<Result> result;
    bool done = false;  ///< set under the mutex once `result` is final
    /// This writer's own wake-up: its result is in, or it may lead the next batch. One per writer,
    /// so a commit wakes its batch and the next leader, not every writer in the queue.
    std::condition_variable turn;
  };

  /// At most `max_batch` requests in one transaction, so none waits for an unbounded one.
  explicit GroupCommit(std::size_t max_batch) : max_batch_(max_batch) {}

  /// Returns `request`'s result once a batch holding it was committed. `commit(batch)` must set
  /// the result of every slot in the batch and must not throw.
  template <class Commit>
  Result submit(const Request& request, Commit&& commit) {
    Slot slot{request};
    std::unique_lock lock(mutex_);
    queue_.push_back(&slot);
    while (!slot.done) {
      if (leading_) {
        slot.turn.wait(lock);
        continue;
      }
      leading_ = true;
      const auto take = std::min(queue_.size(), max_batch_);
      std::vector<Slot*> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
      lock.unlock();
      commit(std::span<Slot* const>(batch));
      lock.lock();
      leading_ = false;
      // Notified under the mutex: a writer returns (and its slot goes away) only after it.
      for (auto* done : batch) {
        done->done = true;
        done->turn.notify_one();
      }
      if (!queue_.empty()) queue_.front()->turn.notify_one();
    }
    return std::move(*slot.result);
  }

 private:
  std::size_t max_batch_;
  std::mutex mutex_;
  std::vector<Slot*> queue_;
  bool leading_ = false;
};

}  // namespace mamori::collector
