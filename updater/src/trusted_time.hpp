#pragma once

// The clock-rollback defence. Every expiry check trusts the local clock, so an attacker who can
// set it back (a dead CMOS battery, a forged NTP answer) could revive expired, revoked metadata.
// The client keeps the latest clock reading at which it verified metadata, and refuses to
// verify anything at a time earlier than that (less a tolerance for NTP corrections). The record
// never goes past the expiry of the timestamp just verified: a clock that ran ahead and was set
// right again holds updates back for at most one timestamp lifetime, not for good. (Deleting the
// file resets it, for an administrator who knows why.)

#include <chrono>
#include <expected>
#include <filesystem>

#include "mamori/error.hpp"
#include "mamori/tuf/metadata.hpp"
#include "mamori/tuf/rejection.hpp"

namespace mamori::updater {

class TrustedTime {
 public:
  explicit TrustedTime(std::filesystem::path file) : file_(std::move(file)) {}

  /// kClockBackwards when `now` is more than `tolerance` before the recorded time. A missing or
  /// garbled record is no objection (the first refresh); an unreadable file is (kStorage).
  [[nodiscard]] std::expected<void, tuf::Rejection> check(tuf::TimePoint now,
                                                          std::chrono::seconds tolerance) const;
  /// Records `now` if it is later than the recorded time.
  [[nodiscard]] std::expected<void, Error> advance(tuf::TimePoint now) const;

 private:
  [[nodiscard]] std::expected<std::optional<tuf::TimePoint>, Error> recorded() const;

  std::filesystem::path file_;
};

}  // namespace mamori::updater
