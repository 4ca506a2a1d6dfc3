#pragma once

// The Windows Filtering Platform filters for a NetworkGuardPlan, the counterpart of
// nftables_ruleset.hpp: mamori's own sublayer holds them, replaced as a whole in one WFP
// transaction, nothing else touched. Within mamori's sublayer the heaviest matching filter
// decides (the permits outweigh the final block); across sublayers a block wins, so mamori's
// block holds whatever Windows Firewall permits, and mamori's permits open nothing that
// Windows Firewall blocks.
//
// The filters sit at the ALE authorisation layers, which judge each new connection (outbound:
// AUTH_CONNECT; inbound: AUTH_RECV_ACCEPT) and let its replies through, as nftables' `ct state
// established` does. IPv6 neighbour discovery and ICMP errors never reach these layers, so they
// need no rule here.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/platform/network_guard.hpp"

namespace mamori::platform {

enum class WfpLayer {
  kConnectV4,  ///< FWPM_LAYER_ALE_AUTH_CONNECT_V4: connections the PC opens
  kConnectV6,
  kAcceptV4,  ///< FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4: connections others open to the PC
  kAcceptV6,
};

enum class WfpAction { kPermit, kBlock };

inline constexpr std::uint8_t kIpProtocolTcp = 6;
inline constexpr std::uint8_t kIpProtocolUdp = 17;

/// One filter in mamori's sublayer. Every condition set must hold; an unset one matches all.
struct WfpFilter {
  std::string name;  ///< `mamori: collector 192.0.2.10:8443`
  WfpLayer layer = WfpLayer::kConnectV4;
  WfpAction action = WfpAction::kBlock;
  /// The weight range within the sublayer (0..15, FWP_UINT8): permits 10, the block 0.
  std::uint8_t weight = 0;
  bool loopback = false;  ///< FWP_CONDITION_FLAG_IS_LOOPBACK
  std::optional<std::uint8_t> protocol;
  std::string remote_address;  ///< a literal of the layer's family; empty: any
  std::optional<std::uint16_t> remote_port;
  std::optional<std::uint16_t> local_port;

  bool operator==(const WfpFilter&) const = default;
};

/// The filters in force for `plan`; none for kOpen (the sublayer goes too). Call
/// checkNetworkGuardPlan() first: addresses are taken as given.
std::vector<WfpFilter> wfpFilters(const NetworkGuardPlan& plan);

/// The sublayer's description, which names the mode so that the agent reads back what the
/// filter engine holds: `mamori:quarantine PATCH-1 failed`.
std::string wfpSublayerDescription(const NetworkGuardPlan& plan);

/// The mode a description written by wfpSublayerDescription() names.
std::expected<NetworkMode, std::string> wfpSublayerMode(std::string_view description);

}  // namespace mamori::platform
