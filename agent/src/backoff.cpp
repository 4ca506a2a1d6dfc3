#include "backoff.hpp"

#include <algorithm>

namespace mamori::agent {
namespace {

// A uniform draw from [low, high] (the modulo bias of 64-bit input is negligible here).
std::int64_t between(std::int64_t low, std::int64_t high, std::uint64_t random) {
  const auto span = static_cast<std::uint64_t>(high - low) + 1;
  return low + static_cast<std::int64_t>(random % span);
}

}  // namespace

std::chrono::seconds retryDelay(int attempts, std::uint64_t random) {
  // 30 s * 2^7 already exceeds the cap: limiting the exponent avoids overflow.
  const int doublings = std::clamp(attempts, 1, 8) - 1;
  const auto ceiling = std::min(kRetryBase * (std::int64_t{1} << doublings), kRetryCap);
  const auto count = ceiling.count();
  return std::chrono::seconds(between(count / 2, count, random));
}

std::chrono::seconds cycleDelay(std::chrono::seconds interval, std::uint64_t random) {
  const std::int64_t center = std::max<std::int64_t>(interval.count(), 1);
  const std::int64_t spread = center / 10;
  return std::chrono::seconds(
      std::max<std::int64_t>(between(center - spread, center + spread, random), 1));
}

}  // namespace mamori::agent
