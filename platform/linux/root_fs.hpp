#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::platform::linux {

/// Reads (and writes sysfs attributes) below a root directory: `/` on a live system, a fixture
/// tree in tests.
class RootFs {
 public:
  explicit RootFs(std::filesystem::path root) : root_(std::move(root)) {}

  /// `relative` is an absolute path as seen on the target (`/etc/os-release`).
  [[nodiscard]] std::filesystem::path path(std::string_view relative) const;

  /// The file's content, at most `limit` bytes. The error names the file and the reason.
  [[nodiscard]] std::expected<std::string, std::string> read(std::string_view relative,
                                                             std::size_t limit = 64 << 20) const;

  /// A sysfs-style attribute: the first line, trimmed; empty when absent.
  [[nodiscard]] std::string attribute(const std::filesystem::path& absolute) const;

  /// Names in a directory, sorted; empty when it does not exist.
  [[nodiscard]] std::vector<std::string> list(std::string_view relative) const;

  [[nodiscard]] bool exists(std::string_view relative) const;

  /// Replaces the content of an existing file with one write(2), as a sysfs attribute needs:
  /// the kernel acts on each write. Never creates the file, since a missing attribute means
  /// the device is gone. The error names the file and the reason (`EINVAL` from the kernel).
  [[nodiscard]] std::expected<void, std::string> write(std::string_view relative,
                                                       std::string_view content) const;

  [[nodiscard]] bool isLiveSystem() const { return root_ == "/"; }

 private:
  std::filesystem::path root_;
};

}  // namespace mamori::platform::linux
