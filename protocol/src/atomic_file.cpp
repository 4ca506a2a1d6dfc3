#include "mamori/protocol/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace mamori::protocol {
namespace {

namespace fs = std::filesystem;

Error failure(ErrorCode code, std::string what, const fs::path& file, int err) {
  Error e;
  e.code = code;
  e.message = std::move(what) + (err ? std::string(": ") + std::strerror(err) : "");
  e.file = file.string();
  return e;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  /// Closes now, reporting the error a deferred write may only surface here.
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

bool writeAll(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

struct Temporary {
  Fd fd;
  fs::path name;
  int error;  // errno when `fd` is invalid
};

// A fresh name beside `file`; O_EXCL makes sure no one else's file is written through.
Temporary createTemporary(const fs::path& file) {
  static std::atomic<unsigned> counter{0};
  const auto dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  for (int tries = 0; tries < 100; ++tries) {
    auto name = dir / ("." + file.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                       std::to_string(counter++));
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    const int error = errno;
    if (fd >= 0 || error != EEXIST) return {Fd(fd), std::move(name), fd >= 0 ? 0 : error};
  }
  return {Fd(-1), dir, EEXIST};
}

std::expected<void, Error> fillAndSync(Fd& fd, const fs::path& temporary, std::string_view content,
                                       mode_t mode) {
  if (!writeAll(fd.get(), content))
    return std::unexpected(failure(ErrorCode::kIo, "cannot write", temporary, errno));
  if (::fchmod(fd.get(), mode) != 0)
    return std::unexpected(failure(ErrorCode::kIo, "cannot set the mode", temporary, errno));
  if (::fsync(fd.get()) != 0)
    return std::unexpected(failure(ErrorCode::kIo, "cannot sync", temporary, errno));
  if (fd.close() != 0)
    return std::unexpected(failure(ErrorCode::kIo, "cannot close", temporary, errno));
  return {};
}

// link() fails when the target exists, where rename() would replace it: the no-overwrite case
// stays atomic without a separate, racy existence check.
std::expected<void, Error> publish(const fs::path& temporary, const fs::path& file,
                                   IfExists if_exists) {
  if (if_exists == IfExists::kReplace) {
    if (::rename(temporary.c_str(), file.c_str()) != 0) {
      return std::unexpected(failure(ErrorCode::kIo, "cannot rename into place", file, errno));
    }
    return {};
  }
  if (::link(temporary.c_str(), file.c_str()) != 0) {
    const int err = errno;
    return std::unexpected(err == EEXIST
                               ? failure(ErrorCode::kUsage, "already exists; not replaced", file, 0)
                               : failure(ErrorCode::kIo, "cannot link into place", file, err));
  }
  ::unlink(temporary.c_str());
  return {};
}

// The new name is durable only once the directory itself is synced.
std::expected<void, Error> syncDirectory(const fs::path& file) {
  const auto dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return std::unexpected(failure(ErrorCode::kIo, "cannot sync the directory", dir, errno));
  }
  return {};
}

}  // namespace

std::expected<void, Error> writeFileAtomically(const fs::path& file, std::string_view content,
                                               mode_t mode, IfExists if_exists) {
  auto [fd, temporary, error] = createTemporary(file);
  if (fd.get() < 0) {
    return std::unexpected(
        failure(ErrorCode::kIo, "cannot create a temporary file", temporary, error));
  }
  auto written = fillAndSync(fd, temporary, content, mode);
  if (written) written = publish(temporary, file, if_exists);
  if (!written) {
    ::unlink(temporary.c_str());
    return written;
  }
  return syncDirectory(file);
}

std::expected<std::string, Error> readSmallFile(const std::filesystem::path& file,
                                                std::uintmax_t max_bytes) {
  const auto fail = [&](ErrorCode code, std::string message) {
    return std::unexpected(makeError(code, std::move(message), file));
  };
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return fail(ErrorCode::kIo, ec.message());
  if (size > max_bytes) {
    return fail(ErrorCode::kValidation, "larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace mamori::protocol
