#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

namespace mamori::policy {

/// Every decision takes the time as an argument; this is its type (UTC, whole seconds).
using TimePoint = std::chrono::sys_seconds;

/// Parses an ISO 8601 date or date-time: `2026-11-22`, `2026-11-22T09:30`, `2026-11-22T09:30:00Z`,
/// `2026-11-22T18:30:00+09:00`. A date alone means midnight UTC; a time without an offset is UTC.
/// Returns the reason on failure.
std::expected<TimePoint, std::string> parseTimestamp(std::string_view text);

/// `2026-11-22T09:30:00Z`
std::string formatTimestamp(TimePoint t);

/// `2026-11-22`
std::string formatDate(TimePoint t);

/// Whole days from `from` to `to`, rounded down (negative when `to` is earlier).
long long daysBetween(TimePoint from, TimePoint to);

}  // namespace mamori::policy
