#pragma once

// A USB bus of device nodes for tests of the Windows enforcer: its reader lists the nodes, its
// switch starts or stops them and records each change, as SetupAPI would; its disks are made
// read-only, and each such change recorded, as the disk driver would.

#include <algorithm>
#include <expected>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mamori/platform/windows_usb.hpp"

namespace mamori::platform::fake {

class FakePnpBus {
 public:
  /// Set before the enforcer runs; while it runs, through replace().
  std::vector<PnpDevice> nodes;
  /// (instance id, enabled) in the order the enforcer asked.
  std::vector<std::pair<std::string, bool>> changes;
  /// When set, every change fails with this text.
  std::string refuse;
  /// The disks below the nodes; set before the enforcer runs, while it runs through
  /// replaceDisks().
  std::vector<PnpDisk> disks;
  /// Instance ids of the disks made read-only, in the order the enforcer asked.
  std::vector<std::string> read_only;
  /// When set, making a disk read-only fails with this text.
  std::string refuse_read_only;

  void replaceDisks(std::vector<PnpDisk> now) {
    const std::scoped_lock guard(mutex_);
    disks = std::move(now);
  }
  std::vector<std::string> readOnly() {
    const std::scoped_lock guard(mutex_);
    return read_only;
  }

  /// The bus changes while the enforcer's thread may be reading it.
  void replace(std::vector<PnpDevice> now) {
    const std::scoped_lock guard(mutex_);
    nodes = std::move(now);
  }

  auto reader() {
    return [this]() -> std::expected<std::vector<PnpDevice>, std::string> {
      const std::scoped_lock guard(mutex_);
      return nodes;
    };
  }
  auto switcher() {
    return [this](std::string_view id, bool enable) -> std::expected<void, std::string> {
      const std::scoped_lock guard(mutex_);
      if (!refuse.empty()) return std::unexpected(refuse);
      changes.emplace_back(std::string(id), enable);
      for (auto& node : nodes) {
        if (node.instance_id == id) node.started = enable;
      }
      return {};
    };
  }
  auto diskReader() {
    return [this]() -> std::expected<std::vector<PnpDisk>, std::string> {
      const std::scoped_lock guard(mutex_);
      return disks;
    };
  }
  auto readOnlySwitch() {
    return [this](const PnpDisk& disk) -> std::expected<void, std::string> {
      const std::scoped_lock guard(mutex_);
      if (!refuse_read_only.empty()) return std::unexpected(refuse_read_only);
      read_only.push_back(disk.instance_id);
      return {};
    };
  }

 private:
  std::mutex mutex_;
};

}  // namespace mamori::platform::fake
