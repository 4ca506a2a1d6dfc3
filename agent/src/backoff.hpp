#pragma once

// When to try again. Pure: the random number is drawn by the caller, so tests are deterministic
// and thousands of PCs draw differently.

#include <chrono>
#include <cstdint>

namespace mamori::agent {

/// The shortest and longest ceilings of `retryDelay`.
inline constexpr std::chrono::seconds kRetryBase{30};
inline constexpr std::chrono::seconds kRetryCap{std::chrono::hours(1)};

/// How long to wait after the `attempts`-th failed delivery in a row (1 for the first): a ceiling
/// of 30 s doubling with each failure up to 1 h, and a delay drawn from `random` between half the
/// ceiling and the ceiling. The lower half keeps a down collector from being hammered; the jitter
/// spreads the PCs that all failed during its outage, so they do not all return at once.
/// `attempts` below 1 counts as 1.
std::chrono::seconds retryDelay(int attempts, std::uint64_t random);

/// The time to the next cycle: `interval` ±10 %, drawn from `random`, so the PCs of a city that
/// all boot at 8:30 do not all report at the same second. At least 1 s.
std::chrono::seconds cycleDelay(std::chrono::seconds interval, std::uint64_t random);

}  // namespace mamori::agent
