// Quarantine on the PC (NET-2, NET-4): the plan checked before it reaches a firewall, the
// nftables script it becomes, and nft itself accepting that script (`nft -c`, which checks
// against the running kernel and changes nothing).

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ip_address.hpp"
#include "mamori/platform/nftables_ruleset.hpp"

namespace mamori::platform {
namespace {

NetworkGuardPlan quarantinePlan() {
  NetworkGuardPlan plan;
  plan.mode = NetworkMode::kQuarantine;
  plan.collector = {{"192.0.2.10", 8443, "collector"}, {"2001:db8::10", 8443, "collector"}};
  plan.remediation = {{"198.51.100.7", 443, "update mirror"}, {"198.51.100.8", 80, "AV patterns"}};
  plan.reason = "PATCH-1 failed";
  return plan;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// `nft -c -f FILE`: nft's parser and the kernel's checks, with nothing committed.
std::string nftCheck(const std::string& script) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto file = dir / ("mamori-nft-" + std::to_string(std::rand()) + ".nft");
  const auto log = std::filesystem::path(file).concat(".log");
  std::ofstream(file) << script;
  const auto command = "nft -c -f " + file.string() + " >" + log.string() + " 2>&1";
  const int rc = std::system(command.c_str());
  std::ifstream in(log);
  std::string output((std::istreambuf_iterator<char>(in)), {});
  std::filesystem::remove(file);
  std::filesystem::remove(log);
  return rc == 0 ? std::string() : "nft -c failed (" + std::to_string(rc) + "): " + output;
}

TEST_CASE("NET-2: literal addresses only, IPv4 and IPv6") {
  for (const auto* ok : {"192.0.2.10", "0.0.0.0", "255.255.255.255"}) {
    CHECK_MESSAGE(isIpv4Address(ok), ok);
  }
  for (const auto* bad : {"192.0.2", "192.0.2.256", "192.0.2.010", "192.0.2.1.", "a.b.c.d", ""}) {
    CHECK_FALSE_MESSAGE(isIpv4Address(bad), bad);
  }
  for (const auto* ok : {"2001:db8::10", "::1", "::", "fe80::1:2", "2001:db8:0:0:0:0:0:1",
                         "::ffff:192.0.2.10", "2001:db8::"}) {
    CHECK_MESSAGE(isIpv6Address(ok), ok);
  }
  for (const auto* bad :
       {"2001:db8::10::1", ":1::", "1::2:", "2001:db8:0:0:0:0:0:1:2", "2001:db8:0:0:0:0:1",
        "12345::", "g::1", "::ffff:192.0.2", "host.lg.jp", "fe80::1%eth0"}) {
    CHECK_FALSE_MESSAGE(isIpv6Address(bad), bad);
  }
}

TEST_CASE("NET-2: a plan with a name, a missing port or a quote in it is refused, naming it") {
  CHECK(checkNetworkGuardPlan(quarantinePlan()));
  auto plan = quarantinePlan();
  plan.remediation[1].address = "deb.debian.org";
  auto r = checkNetworkGuardPlan(plan);
  REQUIRE_FALSE(r);
  CHECK(r.error().field == "remediation[1].address");
  CHECK(r.error().message == R"("deb.debian.org" is not an IPv4 or IPv6 address)");

  plan = quarantinePlan();
  plan.collector[0].port = 0;
  r = checkNetworkGuardPlan(plan);
  REQUIRE_FALSE(r);
  CHECK(r.error().field == "collector[0].port");

  plan = quarantinePlan();
  plan.reason = "a \"quoted\" reason";
  r = checkNetworkGuardPlan(plan);
  REQUIRE_FALSE(r);
  CHECK(r.error().field == "reason");
}

TEST_CASE("NET-2: quarantine lets DNS, DHCP, the collector and remediation through, nothing else") {
  const auto script = nftablesScript(quarantinePlan());
  CHECK(script.starts_with("add table inet mamori\ndelete table inet mamori\ntable inet mamori {"));
  CHECK(contains(script, R"(comment "mamori:quarantine PATCH-1 failed")"));
  CHECK(contains(script, "type filter hook output priority filter; policy drop;"));
  CHECK(contains(script, R"(udp dport 53 accept comment "DNS")"));
  CHECK(contains(script, R"(udp sport 68 udp dport 67 accept comment "DHCP")"));
  CHECK(contains(script, R"(ip daddr 192.0.2.10 tcp dport 8443 accept comment "collector")"));
  CHECK(contains(script, R"(ip6 daddr 2001:db8::10 tcp dport 8443 accept comment "collector")"));
  CHECK(contains(script, R"(ip daddr 198.51.100.7 tcp dport 443 accept comment "update mirror")"));
  CHECK(contains(script, R"(counter name "dropped_out" drop)"));
  CHECK(contains(script, R"(counter name "dropped_in" drop)"));
  CHECK(nftablesMode(script) == NetworkMode::kQuarantine);
}

TEST_CASE("NET-4: isolation keeps the collector (and DHCP), not DNS, not remediation") {
  auto plan = quarantinePlan();
  plan.mode = NetworkMode::kIsolated;
  plan.reason = "CSIRT isolation";
  const auto script = nftablesScript(plan);
  CHECK(contains(script, R"(ip daddr 192.0.2.10 tcp dport 8443 accept comment "collector")"));
  CHECK(contains(script, R"(comment "DHCP")"));
  CHECK_FALSE(contains(script, R"(comment "DNS")"));
  CHECK_FALSE(contains(script, "198.51.100.7"));
  CHECK(nftablesMode(script) == NetworkMode::kIsolated);
}

TEST_CASE("NET-2: admitted, mamori's table goes, and nothing else is named") {
  NetworkGuardPlan open;
  const auto script = nftablesScript(open);
  CHECK(script == "add table inet mamori\ndelete table inet mamori\n");
  CHECK(nftablesMode("") == NetworkMode::kOpen);
  CHECK_FALSE(nftablesMode("table inet mamori {\n}\n"));  // someone else's table of that name
}

TEST_CASE("NET-2: nft accepts every script mamori writes (nft -c against this kernel)") {
  auto isolated = quarantinePlan();
  isolated.mode = NetworkMode::kIsolated;
  for (const auto& plan : {quarantinePlan(), isolated, NetworkGuardPlan{}}) {
    CAPTURE(networkModeId(plan.mode));
    CHECK(nftCheck(nftablesScript(plan)) == "");
  }
}

}  // namespace
}  // namespace mamori::platform
