// The plan's words and checks, the same for every firewall.

#include "mamori/platform/network_guard.hpp"

#include <array>

#include "../decode/ip_address.hpp"

namespace mamori::platform {

std::expected<void, Error> checkNetworkGuardPlan(const NetworkGuardPlan& plan) {
  const auto printable = [](std::string_view s) {
    for (const char c : s) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    }
    return true;
  };
  const auto bad = [](std::string field, std::string reason) {
    return std::unexpected(Error{ErrorCode::kValidation, std::move(reason), {}, std::move(field)});
  };
  if (!printable(plan.reason)) return bad("reason", "must be printable ASCII without quotes");
  const std::array lists{std::pair{"collector", &plan.collector},
                         std::pair{"remediation", &plan.remediation}};
  for (const auto& [list, endpoints] : lists) {
    for (std::size_t i = 0; i < endpoints->size(); ++i) {
      const auto& e = (*endpoints)[i];
      const auto field = std::string(list) + "[" + std::to_string(i) + "]";
      if (!isIpv4Address(e.address) && !isIpv6Address(e.address)) {
        return bad(field + ".address", "\"" + e.address + "\" is not an IPv4 or IPv6 address");
      }
      if (e.port == 0) return bad(field + ".port", "must be 1-65535");
      if (e.name.empty() || !printable(e.name)) {
        return bad(field + ".name", "must be printable ASCII without quotes, and not empty");
      }
    }
  }
  return {};
}

}  // namespace mamori::platform
