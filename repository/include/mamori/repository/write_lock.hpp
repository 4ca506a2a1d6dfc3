#pragma once

// Whoever writes to a repository holds its lock (`<dir>/.lock`, flock): the admins' commands and
// the collector's publication never interleave. Two writers at once would both take the next
// version of a role, and one of the two signatures would be lost. Readers take no lock: every
// file is written once, and `timestamp.json` is replaced atomically.

#include <chrono>
#include <expected>
#include <filesystem>

#include "mamori/error.hpp"

namespace mamori::repository {

class WriteLock {
 public:
  /// The lock of the repository at `dir`, waiting up to `wait` for another writer to finish;
  /// the error names the lock file when it is still held then.
  static std::expected<WriteLock, Error> acquire(const std::filesystem::path& dir,
                                                 std::chrono::milliseconds wait);

  WriteLock(WriteLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  WriteLock& operator=(WriteLock&& other) noexcept;
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;
  ~WriteLock();

 private:
  explicit WriteLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mamori::repository
