#include "group_commit.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace mamori::collector {
namespace {

using Commit = GroupCommit<int, int>;

TEST_CASE("group commit: a lone writer commits alone and gets its own result") {
  Commit group(8);
  std::vector<std::size_t> batches;
  const auto commit = [&](std::span<Commit::Slot* const> batch) {
    batches.push_back(batch.size());
    for (auto* slot : batch) slot->result = slot->request * 10;
  };
  CHECK(group.submit(1, commit) == 10);
  CHECK(group.submit(2, commit) == 20);
  CHECK(batches == std::vector<std::size_t>{1, 1});
}

TEST_CASE("group commit: writers that arrive during a commit share the next one, within the cap") {
  constexpr int kWriters = 7;
  constexpr std::size_t kCap = 4;
  Commit group(kCap);
  std::atomic<int> arrived{0};
  std::mutex seen_mutex;
  std::vector<std::size_t> batches;
  const auto commit = [&](std::span<Commit::Slot* const> batch) {
    bool first = false;
    {
      const std::lock_guard lock(seen_mutex);
      first = batches.empty();
      batches.push_back(batch.size());
    }
    if (first) {  // hold the first commit until every other writer is queued behind it
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (arrived.load() < kWriters + 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (auto* slot : batch) slot->result = slot->request * 10;
  };
  std::vector<int> results(kWriters + 1, 0);
  std::thread leader([&] {
    ++arrived;
    results[0] = group.submit(0, commit);
  });
  while (true) {  // the leader is inside its commit once a batch was recorded
    const std::lock_guard lock(seen_mutex);
    if (!batches.empty()) break;
  }
  std::vector<std::thread> writers;
  for (int i = 1; i <= kWriters; ++i) {
    writers.emplace_back([&, i] {
      ++arrived;
      results[static_cast<std::size_t>(i)] = group.submit(i, commit);
    });
  }
  leader.join();
  for (auto& w : writers) w.join();

  for (int i = 0; i <= kWriters; ++i) CHECK(results[static_cast<std::size_t>(i)] == i * 10);
  // 1 (the leader), then the 7 queued ones in batches of at most 4.
  REQUIRE(batches.size() == 3);
  CHECK(batches[0] == 1);
  CHECK(batches[1] == kCap);
  CHECK(batches[2] == kWriters - kCap);
}

}  // namespace
}  // namespace mamori::collector
