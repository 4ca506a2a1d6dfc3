#pragma once

// The nftables script for a NetworkGuardPlan: mamori's own table, `inet mamori`, replaced as a
// whole in one `nft -f` transaction, nothing else touched. A drop in mamori's table is final
// whatever other tables accept, and mamori's accepts open nothing another table drops.

#include <string>
#include <string_view>

#include "mamori/platform/network_guard.hpp"

namespace mamori::platform {

inline constexpr std::string_view kNftFamily = "inet";
inline constexpr std::string_view kNftTable = "mamori";

/// One `nft -f` transaction. For kOpen it only removes the table; otherwise it creates the
/// table if missing, deletes it and defines it anew, so the kernel swaps the whole rule set at
/// once. Call checkNetworkGuardPlan() first: addresses and ports are written as given.
std::string nftablesScript(const NetworkGuardPlan& plan);

/// The mode a listed `table inet mamori` is in (`nft list table inet mamori`), from the marker
/// comment nftablesScript() writes; kOpen for empty text (no table).
std::expected<NetworkMode, std::string> nftablesMode(std::string_view listed_table);

}  // namespace mamori::platform
