#pragma once

// The policy a running service judges and enforces with, re-read when its file changes: a valid
// newer policy replaces it at once (USB decisions included); a malformed or older one is refused
// with file, field and reason, and the last good policy keeps running.

#include <expected>
#include <filesystem>
#include <optional>

#include "mamori/error.hpp"
#include "mamori/policy/policy.hpp"

namespace mamori::agent {

class PolicyWatch {
 public:
  /// `file` is where `initial` was read from; none: the built-in policy, which never changes.
  PolicyWatch(std::optional<std::filesystem::path> file, policy::Policy initial);

  /// Looks at the file. Returns true when a new policy replaced the running one, false when the
  /// file did not change since the last look; an Error (naming file, field and reason) when the
  /// changed file was refused: it does not parse, or its version is below the running one. A
  /// refused file is reported once, not on every look.
  std::expected<bool, Error> poll();

  /// A policy from elsewhere (a signed bundle, already verified): it replaces the running one
  /// when its version is newer. Returns whether it did.
  bool offer(policy::Policy candidate);

  [[nodiscard]] const policy::Policy& current() const { return current_; }

 private:
  /// What the file looks like from outside: a change of either means read it again.
  struct Stamp {
    std::filesystem::file_time_type time;
    std::uintmax_t size = 0;
    bool operator==(const Stamp&) const = default;
  };
  /// nullopt while the file cannot be looked at (being replaced, say).
  static std::optional<Stamp> stampOf(const std::filesystem::path& file);

  std::optional<std::filesystem::path> file_;
  policy::Policy current_;
  std::optional<Stamp> seen_;  ///< at the last look
};

}  // namespace mamori::agent
