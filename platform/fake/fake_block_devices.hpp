#pragma once

#include <map>
#include <string>
#include <vector>

#include "block_device_control.hpp"

namespace mamori::platform::fake {

/// Records which block devices the enforcer made read-only, instead of calling ioctl.
class FakeBlockDevices final : public linux::BlockDeviceControl {
 public:
  /// setReadOnly(`node`) fails with `error` from now on.
  void refuse(std::string node, std::string error) {
    refusals_.insert_or_assign(std::move(node), std::move(error));
  }

  std::expected<void, std::string> setReadOnly(const std::filesystem::path& node) override {
    calls_.push_back(node.string());
    const auto it = refusals_.find(node.string());
    if (it != refusals_.end()) return std::unexpected(it->second);
    return {};
  }

  /// The nodes asked for, in order.
  [[nodiscard]] const std::vector<std::string>& calls() const { return calls_; }

 private:
  std::map<std::string, std::string> refusals_;
  std::vector<std::string> calls_;
};

}  // namespace mamori::platform::fake
