#include "mamori/repository/write_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace mamori::repository {

std::expected<WriteLock, Error> WriteLock::acquire(const std::filesystem::path& dir,
                                                   std::chrono::milliseconds wait) {
  const auto file = dir / ".lock";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return std::unexpected(makeError(ErrorCode::kIo, std::strerror(errno), file.string()));
  WriteLock lock(fd);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return std::unexpected(makeError(ErrorCode::kIo, std::strerror(errno), file.string()));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::unexpected(
          makeError(ErrorCode::kIo,
                    "another writer holds the repository (the collector publishing, or "
                    "another mamori-policy); try again",
                    file.string()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return lock;
}

WriteLock& WriteLock::operator=(WriteLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

WriteLock::~WriteLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace mamori::repository
