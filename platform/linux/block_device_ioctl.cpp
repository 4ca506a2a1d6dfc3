#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "block_device_control.hpp"

namespace mamori::platform::linux {
namespace {

class IoctlBlockDeviceControl final : public BlockDeviceControl {
 public:
  std::expected<void, std::string> setReadOnly(const std::filesystem::path& node) override {
    // Opening read-only is enough for BLKROSET, and cannot itself write to the medium.
    const int fd = ::open(node.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return std::unexpected(node.string() + ": " + std::strerror(errno));
    int read_only = 1;
    const int rc = ::ioctl(fd, BLKROSET, &read_only);
    const int error = errno;
    ::close(fd);
    if (rc != 0) return std::unexpected(node.string() + ": BLKROSET: " + std::strerror(error));
    return {};
  }
};

}  // namespace

std::unique_ptr<BlockDeviceControl> makeBlockDeviceControl() {
  return std::make_unique<IoctlBlockDeviceControl>();
}

}  // namespace mamori::platform::linux
