// Quarantine on a Windows PC (NET-2, NET-4): the Windows Filtering Platform filters a plan
// becomes, and the marker the agent reads the mode back from. Run on Linux and under wine.

#include "mamori/platform/wfp_filters.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori::platform {
namespace {

NetworkGuardPlan planOf(NetworkMode mode) {
  NetworkGuardPlan plan;
  plan.mode = mode;
  plan.collector = {{"192.0.2.10", 8443, "collector"}, {"2001:db8::10", 8443, "collector"}};
  plan.remediation = {{"198.51.100.7", 443, "update mirror"}};
  plan.reason = "PATCH-1 failed";
  return plan;
}

std::vector<std::string> namesOn(const std::vector<WfpFilter>& filters, WfpLayer layer) {
  std::vector<std::string> names;
  for (const auto& f : filters) {
    if (f.layer == layer) names.push_back(f.name);
  }
  return names;
}

const WfpFilter* named(const std::vector<WfpFilter>& filters, std::string_view name) {
  const auto it = std::ranges::find(filters, name, &WfpFilter::name);
  return it == filters.end() ? nullptr : &*it;
}

TEST_CASE("NET-2: quarantine lets through DHCP, DNS, the collector and remediation, nothing else") {
  const auto filters = wfpFilters(planOf(NetworkMode::kQuarantine));
  CHECK(namesOn(filters, WfpLayer::kConnectV4) ==
        std::vector<std::string>{"mamori: loopback", "mamori: DHCP", "mamori: DNS", "mamori: DNS",
                                 "mamori: collector 192.0.2.10:8443",
                                 "mamori: update mirror 198.51.100.7:443", "mamori: block out"});
  CHECK(namesOn(filters, WfpLayer::kConnectV6) ==
        std::vector<std::string>{"mamori: loopback", "mamori: DHCPv6", "mamori: DNS", "mamori: DNS",
                                 "mamori: collector 2001:db8::10:8443", "mamori: block out"});
  // Nobody may open a connection to the PC, except DHCP's answers and the PC itself.
  CHECK(namesOn(filters, WfpLayer::kAcceptV4) ==
        std::vector<std::string>{"mamori: loopback", "mamori: DHCP", "mamori: block in"});
  CHECK(namesOn(filters, WfpLayer::kAcceptV6) ==
        std::vector<std::string>{"mamori: loopback", "mamori: DHCPv6", "mamori: block in"});

  const auto* collector = named(filters, "mamori: collector 192.0.2.10:8443");
  REQUIRE(collector);
  CHECK(collector->action == WfpAction::kPermit);
  CHECK(collector->protocol == kIpProtocolTcp);
  CHECK(collector->remote_address == "192.0.2.10");
  CHECK(collector->remote_port == 8443);
  CHECK_FALSE(collector->local_port);
  const auto* dhcp = named(filters, "mamori: DHCP");
  REQUIRE(dhcp);
  CHECK(dhcp->protocol == kIpProtocolUdp);
  CHECK(dhcp->local_port == 68);
  CHECK(dhcp->remote_port == 67);
  CHECK(named(filters, "mamori: loopback")->loopback);
  // Every permit outweighs the blocks, which match everything.
  for (const auto& f : filters) {
    if (f.action == WfpAction::kBlock) {
      CHECK(f.weight == 0);
      CHECK_FALSE(f.loopback);
      CHECK_FALSE(f.protocol);
      CHECK(f.remote_address.empty());
    } else {
      CHECK(f.weight == 10);
    }
  }
}

TEST_CASE("NET-4: isolation keeps only the collector: no DNS, no remediation") {
  const auto filters = wfpFilters(planOf(NetworkMode::kIsolated));
  CHECK_FALSE(named(filters, "mamori: DNS"));
  CHECK_FALSE(named(filters, "mamori: update mirror 198.51.100.7:443"));
  CHECK(named(filters, "mamori: collector 192.0.2.10:8443"));
  CHECK(named(filters, "mamori: collector 2001:db8::10:8443"));
  CHECK(std::ranges::count(filters, WfpAction::kBlock, &WfpFilter::action) == 4);
}

TEST_CASE("NET-2: open means no filters at all") {
  CHECK(wfpFilters(planOf(NetworkMode::kOpen)).empty());
}

TEST_CASE("NET-2: the sublayer's description names the mode, and is read back") {
  const auto description = wfpSublayerDescription(planOf(NetworkMode::kQuarantine));
  CHECK(description == "mamori:quarantine PATCH-1 failed");
  CHECK(wfpSublayerMode(description) == NetworkMode::kQuarantine);
  CHECK(wfpSublayerMode(wfpSublayerDescription(planOf(NetworkMode::kIsolated))) ==
        NetworkMode::kIsolated);
  const auto foreign = wfpSublayerMode("Some VPN client");
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().find("not written by mamori") != std::string::npos);
  CHECK_FALSE(wfpSublayerMode("mamori:open "));
  CHECK_FALSE(wfpSublayerMode("mamori:sideways x"));
}

}  // namespace
}  // namespace mamori::platform
