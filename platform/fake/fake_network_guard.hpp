#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mamori/platform/network_guard.hpp"

namespace mamori::platform::fake {

/// A firewall in memory: keeps the plans it was given, starts in the mode a test chooses (what
/// a crashed agent left in the kernel), and refuses changes while `refuse` holds a reason.
class FakeNetworkGuard final : public NetworkGuard {
 public:
  explicit FakeNetworkGuard(NetworkMode in_force = NetworkMode::kOpen) : mode_(in_force) {}

  std::expected<void, Error> apply(const NetworkGuardPlan& plan) override {
    if (auto ok = checkNetworkGuardPlan(plan); !ok) return ok;
    if (refuse) return std::unexpected(makeError(ErrorCode::kIo, *refuse));
    applied.push_back(plan);
    mode_ = plan.mode;
    return {};
  }
  [[nodiscard]] std::expected<NetworkMode, Error> current() const override { return mode_; }

  std::vector<NetworkGuardPlan> applied;
  std::optional<std::string> refuse;

 private:
  NetworkMode mode_;
};

}  // namespace mamori::platform::fake
