#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <string>

namespace mamori::platform::linux {

/// What the enforcer does to block devices: the one ioctl, behind an interface so unit tests
/// observe it without a real disk (platform/fake).
class BlockDeviceControl {
 public:
  virtual ~BlockDeviceControl() = default;

  /// Makes the block device at `node` (`/dev/sdb1`) read-only (`BLKROSET`): writes fail and
  /// filesystems mount read-only. The error names the node and the reason.
  virtual std::expected<void, std::string> setReadOnly(const std::filesystem::path& node) = 0;
};

/// The real one: open(2) the node, ioctl(BLKROSET). Needs CAP_SYS_ADMIN.
std::unique_ptr<BlockDeviceControl> makeBlockDeviceControl();

}  // namespace mamori::platform::linux
