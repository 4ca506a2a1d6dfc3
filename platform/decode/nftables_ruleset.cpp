#include "mamori/platform/nftables_ruleset.hpp"

#include "ip_address.hpp"

namespace mamori::platform {
namespace {

// The table's comment names the mode, so that the agent reads back what the kernel holds.
constexpr std::string_view kMarker = "mamori:";

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// What both modes let through, both ways: loopback, IPv6 neighbour discovery (without it no
// IPv6 address works at all), ICMP errors, and DHCP (without it the PC loses its address and,
// with it, the collector).
void commonRules(std::string& out, bool output) {
  out += output ? "    oif \"lo\" accept\n" : "    iif \"lo\" accept\n";
  if (!output) out += "    ct state established,related accept\n";
  out +=
      "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, "
      "nd-router-advert, destination-unreachable, packet-too-big, time-exceeded, "
      "parameter-problem } accept\n"
      "    icmp type { destination-unreachable, time-exceeded, parameter-problem } accept\n";
  out += output ? "    udp sport 68 udp dport 67 accept comment \"DHCP\"\n"
                  "    udp sport 546 udp dport 547 accept comment \"DHCPv6\"\n"
                : "    udp sport 67 udp dport 68 accept comment \"DHCP\"\n"
                  "    udp sport 547 udp dport 546 accept comment \"DHCPv6\"\n";
}

void endpointRule(std::string& out, const Endpoint& e) {
  out += std::string("    ") + (isIpv4Address(e.address) ? "ip" : "ip6") + " daddr " + e.address +
         " tcp dport " + std::to_string(e.port) + " accept comment " + quoted(e.name) + "\n";
}

}  // namespace

std::string nftablesScript(const NetworkGuardPlan& plan) {
  const auto table = std::string(kNftFamily) + " " + std::string(kNftTable);
  // `add` first: `delete` of a table that is not there would fail the whole transaction.
  std::string out = "add table " + table + "\ndelete table " + table + "\n";
  if (plan.mode == NetworkMode::kOpen) return out;

  const auto mode = std::string(networkModeId(plan.mode));
  out += "table " + table + " {\n";
  out += "  comment " + quoted(std::string(kMarker) + mode + " " + plan.reason) + "\n";
  out += "  counter dropped_out {\n  }\n  counter dropped_in {\n  }\n";

  out += "  chain output {\n    type filter hook output priority filter; policy drop;\n";
  commonRules(out, true);
  if (plan.mode == NetworkMode::kQuarantine) {
    out += "    udp dport 53 accept comment \"DNS\"\n    tcp dport 53 accept comment \"DNS\"\n";
  }
  for (const auto& e : plan.collector) endpointRule(out, e);
  if (plan.mode == NetworkMode::kQuarantine) {
    for (const auto& e : plan.remediation) endpointRule(out, e);
  }
  out += "    counter name \"dropped_out\" drop\n  }\n";

  out += "  chain input {\n    type filter hook input priority filter; policy drop;\n";
  commonRules(out, false);
  out += "    counter name \"dropped_in\" drop\n  }\n}\n";
  return out;
}

std::expected<NetworkMode, std::string> nftablesMode(std::string_view listed_table) {
  if (listed_table.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return NetworkMode::kOpen;
  }
  const auto at = listed_table.find("comment \"" + std::string(kMarker));
  if (at == std::string_view::npos) {
    return std::unexpected("table " + std::string(kNftFamily) + " " + std::string(kNftTable) +
                           " has no mamori marker: not written by mamori");
  }
  auto rest = listed_table.substr(at + 9 + kMarker.size());
  const auto mode = parseNetworkMode(rest.substr(0, rest.find_first_of(" \"")));
  if (!mode || *mode == NetworkMode::kOpen) {
    return std::unexpected("table " + std::string(kNftFamily) + " " + std::string(kNftTable) +
                           ": unknown mode in its marker");
  }
  return *mode;
}

}  // namespace mamori::platform
