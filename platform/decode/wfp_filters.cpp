#include "mamori/platform/wfp_filters.hpp"

#include <array>

#include "ip_address.hpp"

namespace mamori::platform {
namespace {

constexpr std::string_view kMarker = "mamori:";
constexpr std::uint8_t kPermitWeight = 10;
constexpr std::uint8_t kBlockWeight = 0;

constexpr std::array kLayers{WfpLayer::kConnectV4, WfpLayer::kConnectV6, WfpLayer::kAcceptV4,
                             WfpLayer::kAcceptV6};

bool isOutbound(WfpLayer layer) {
  return layer == WfpLayer::kConnectV4 || layer == WfpLayer::kConnectV6;
}
bool isV4(WfpLayer layer) { return layer == WfpLayer::kConnectV4 || layer == WfpLayer::kAcceptV4; }

WfpFilter permit(std::string name, WfpLayer layer) {
  WfpFilter f;
  f.name = "mamori: " + std::move(name);
  f.layer = layer;
  f.action = WfpAction::kPermit;
  f.weight = kPermitWeight;
  return f;
}

// DHCP (v4 on the V4 layers, v6 on the V6 ones): without it the PC loses its address and,
// with it, the collector. Outbound the client sends from its port to the server's; inbound
// the server answers to the client's port.
WfpFilter dhcp(WfpLayer layer) {
  auto f = permit(isV4(layer) ? "DHCP" : "DHCPv6", layer);
  f.protocol = kIpProtocolUdp;
  const std::uint16_t client = isV4(layer) ? 68 : 546;
  const std::uint16_t server = isV4(layer) ? 67 : 547;
  f.local_port = client;
  f.remote_port = server;
  return f;
}

void endpointFilters(std::vector<WfpFilter>& out, const std::vector<Endpoint>& endpoints) {
  for (const auto& e : endpoints) {
    const auto layer = isIpv4Address(e.address) ? WfpLayer::kConnectV4 : WfpLayer::kConnectV6;
    auto f = permit(e.name + " " + e.address + ":" + std::to_string(e.port), layer);
    f.protocol = kIpProtocolTcp;
    f.remote_address = e.address;
    f.remote_port = e.port;
    out.push_back(std::move(f));
  }
}

}  // namespace

std::vector<WfpFilter> wfpFilters(const NetworkGuardPlan& plan) {
  std::vector<WfpFilter> out;
  if (plan.mode == NetworkMode::kOpen) return out;
  for (const auto layer : kLayers) {
    auto loopback = permit("loopback", layer);
    loopback.loopback = true;
    out.push_back(std::move(loopback));
    out.push_back(dhcp(layer));
  }
  if (plan.mode == NetworkMode::kQuarantine) {
    for (const auto layer : {WfpLayer::kConnectV4, WfpLayer::kConnectV6}) {
      for (const auto protocol : {kIpProtocolUdp, kIpProtocolTcp}) {
        auto dns = permit("DNS", layer);
        dns.protocol = protocol;
        dns.remote_port = 53;
        out.push_back(std::move(dns));
      }
    }
  }
  endpointFilters(out, plan.collector);
  if (plan.mode == NetworkMode::kQuarantine) endpointFilters(out, plan.remediation);
  for (const auto layer : kLayers) {
    WfpFilter block;
    block.name = std::string("mamori: ") + (isOutbound(layer) ? "block out" : "block in");
    block.layer = layer;
    block.action = WfpAction::kBlock;
    block.weight = kBlockWeight;
    out.push_back(std::move(block));
  }
  return out;
}

std::string wfpSublayerDescription(const NetworkGuardPlan& plan) {
  return std::string(kMarker) + std::string(networkModeId(plan.mode)) + " " + plan.reason;
}

std::expected<NetworkMode, std::string> wfpSublayerMode(std::string_view description) {
  if (!description.starts_with(kMarker)) {
    return std::unexpected("mamori's WFP sublayer has no mamori marker: not written by mamori");
  }
  description.remove_prefix(kMarker.size());
  const auto mode = parseNetworkMode(description.substr(0, description.find(' ')));
  if (!mode || *mode == NetworkMode::kOpen) {
    return std::unexpected("mamori's WFP sublayer: unknown mode in its marker");
  }
  return *mode;
}

}  // namespace mamori::platform
