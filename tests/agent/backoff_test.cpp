// Retry and cycle delays: bounded, growing, capped, and spread by the injected random number.

#include "backoff.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <set>

namespace mamori::agent {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::uint64_t kMaxRandom = std::numeric_limits<std::uint64_t>::max();

TEST_CASE("the first retry waits between 15 and 30 seconds") {
  std::mt19937_64 random(1);
  for (int i = 0; i < 1000; ++i) {
    const auto delay = retryDelay(1, random());
    CHECK(delay >= seconds(15));
    CHECK(delay <= seconds(30));
  }
  CHECK(retryDelay(1, 0) == seconds(15));
  CHECK(retryDelay(1, 15) == seconds(30));
}

TEST_CASE("each failed retry doubles the wait") {
  for (int attempts = 1; attempts <= 7; ++attempts) {
    const auto shortest = retryDelay(attempts, 0);
    CHECK(retryDelay(attempts + 1, 0) == std::min(shortest * 2, seconds(hours(1)) / 2));
  }
  CHECK(retryDelay(2, 0) == seconds(30));
  CHECK(retryDelay(3, 0) == minutes(1));
  CHECK(retryDelay(5, 0) == minutes(4));
}

TEST_CASE("retries never wait longer than an hour however many failed") {
  std::mt19937_64 random(2);
  for (int attempts : {8, 9, 20, 64, 1000, std::numeric_limits<int>::max()}) {
    CHECK(retryDelay(attempts, kMaxRandom) <= hours(1));
    CHECK(retryDelay(attempts, 0) == minutes(30));
    for (int i = 0; i < 100; ++i) CHECK(retryDelay(attempts, random()) <= hours(1));
  }
}

TEST_CASE("a retry count below one is treated as the first retry") {
  CHECK(retryDelay(0, 7) == retryDelay(1, 7));
  CHECK(retryDelay(-5, 7) == retryDelay(1, 7));
  CHECK(retryDelay(std::numeric_limits<int>::min(), 7) == retryDelay(1, 7));
}

TEST_CASE("agents retrying after the same outage spread over the whole window") {
  std::mt19937_64 random(3);
  std::set<seconds> delays;
  seconds lowest = hours(2);
  seconds highest{0};
  for (int i = 0; i < 10'000; ++i) {
    const auto delay = retryDelay(10, random());
    delays.insert(delay);
    lowest = std::min(lowest, delay);
    highest = std::max(highest, delay);
  }
  // 1801 possible values from 30 to 60 minutes: 10,000 draws hit most of them and both ends.
  CHECK(delays.size() > 1500);
  CHECK(lowest < minutes(31));
  CHECK(highest > minutes(59));
}

TEST_CASE("the report cycle stays within 10 percent of the interval") {
  std::mt19937_64 random(4);
  for (int i = 0; i < 1000; ++i) {
    const auto delay = cycleDelay(minutes(15), random());
    CHECK(delay >= seconds(810));
    CHECK(delay <= seconds(990));
  }
  CHECK(cycleDelay(minutes(15), 0) == seconds(810));
  CHECK(cycleDelay(minutes(15), 180) == seconds(990));
  CHECK(cycleDelay(minutes(15), 90) == minutes(15));
}

TEST_CASE("PCs booting at the same minute report at different seconds") {
  std::mt19937_64 random(5);
  std::set<seconds> delays;
  for (int i = 0; i < 1000; ++i) delays.insert(cycleDelay(minutes(15), random()));
  // 181 possible values: 1000 draws from a uniform spread cover nearly all of them.
  CHECK(delays.size() > 170);
  CHECK(*delays.begin() < seconds(820));
  CHECK(*delays.rbegin() > seconds(980));
}

TEST_CASE("a zero or negative cycle interval still waits a second") {
  CHECK(cycleDelay(seconds(0), 12345) == seconds(1));
  CHECK(cycleDelay(seconds(-60), kMaxRandom) == seconds(1));
  CHECK(cycleDelay(seconds(1), kMaxRandom) == seconds(1));
}

}  // namespace
}  // namespace mamori::agent
