#pragma once

// Admission on the PC itself (NET-2 第85条6, NET-4 第107条3): when the collector says
// quarantine, or a CSIRT isolates the PC, the PC's own firewall keeps it off the network except
// for what it needs to get well again. The same plan on every OS: nftables on Linux, the Windows
// Filtering Platform on Windows. Addresses, not names: the agent resolves the collector and the
// remediation hosts while it still may, and a firewall rule must not depend on a DNS answer
// that quarantine itself allows.

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/network_mode.hpp"

namespace mamori::platform {

// The mode is the policy's decision (policy::decideNetworkMode); the guard carries it out.
using policy::NetworkMode;
using policy::networkModeId;
using policy::parseNetworkMode;

/// One destination the PC may still reach: an IPv4 or IPv6 address and a TCP port.
struct Endpoint {
  std::string address;     ///< `192.0.2.10`, `2001:db8::10`
  std::uint16_t port = 0;  ///< TCP
  std::string name;        ///< what it is, for the rule's comment: `collector`, `update mirror`

  bool operator==(const Endpoint&) const = default;
};

struct NetworkGuardPlan {
  NetworkMode mode = NetworkMode::kOpen;
  std::vector<Endpoint> collector;    ///< reachable in quarantine and in isolation
  std::vector<Endpoint> remediation;  ///< reachable in quarantine: update mirror, AV patterns
  /// Why, in one line (ASCII, for the rule set's comment): `PATCH-1 failed`, `CSIRT isolation`.
  std::string reason;

  bool operator==(const NetworkGuardPlan&) const = default;
};

/// Whether `plan` can be put into a firewall: every address a literal IPv4 or IPv6 address,
/// every port set, the reason printable ASCII. The error names the endpoint.
std::expected<void, Error> checkNetworkGuardPlan(const NetworkGuardPlan& plan);

/// The PC's firewall under mamori's plan. Changes are atomic (never a moment with half a rule
/// set) and survive the agent (kernel state): a crashed agent leaves the PC as it was.
class NetworkGuard {
 public:
  virtual ~NetworkGuard() = default;
  /// Makes `plan` the rules in force, replacing whatever mamori had before.
  virtual std::expected<void, Error> apply(const NetworkGuardPlan& plan) = 0;
  /// The mode in force now, read back from the OS (the agent reconciles with it at start).
  [[nodiscard]] virtual std::expected<NetworkMode, Error> current() const = 0;
};

/// This OS's guard (Linux: nftables through libnftables). Needs the right to change the firewall
/// (root, or CAP_NET_ADMIN) for apply() and current().
std::expected<std::unique_ptr<NetworkGuard>, Error> makeNetworkGuard();

}  // namespace mamori::platform
