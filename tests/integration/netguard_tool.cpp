// A test's hands on the NetworkGuard: applies a plan, or prints the mode in force, in whatever
// network namespace it runs (`ip netns exec pc ...`). Exits at once: what it applied stays, as
// it must when the agent dies.
//
//   mamori_test_netguard open|quarantine|isolated [--collector A:P]... [--remediation A:P]...
//                        [--reason TEXT]
//   mamori_test_netguard current

#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "mamori/platform/network_guard.hpp"

namespace {

using namespace mamori::platform;

// `10.77.0.2:8443`, `[2001:db8::2]:8443`.
std::optional<Endpoint> endpoint(std::string_view text, std::string name) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto address = text.substr(0, colon);
  if (address.starts_with('[') && address.ends_with(']'))
    address = address.substr(1, address.size() - 2);
  unsigned port = 0;
  const auto digits = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc{} || end != digits.data() + digits.size() || port > 65535)
    return std::nullopt;
  return Endpoint{std::string(address), static_cast<std::uint16_t>(port), std::move(name)};
}

int fail(const std::string& message) {
  std::fprintf(stderr, "mamori_test_netguard: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return fail("usage: open|quarantine|isolated|current [options]");
  auto guard = makeNetworkGuard();
  if (!guard) return fail(guard.error().describe());
  const std::string_view command = argv[1];
  if (command == "current") {
    const auto mode = (*guard)->current();
    if (!mode) return fail(mode.error().describe());
    std::printf("%s\n", std::string(networkModeId(*mode)).c_str());
    return 0;
  }
  const auto mode = parseNetworkMode(command);
  if (!mode) return fail("unknown mode " + std::string(command));
  NetworkGuardPlan plan;
  plan.mode = *mode;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view option = argv[i];
    const std::string_view value = argv[i + 1];
    if (option == "--reason") {
      plan.reason = std::string(value);
      continue;
    }
    const bool collector = option == "--collector";
    if (!collector && option != "--remediation")
      return fail("unknown option " + std::string(option));
    const auto e = endpoint(value, collector ? "collector" : "remediation");
    if (!e) return fail("not ADDRESS:PORT: " + std::string(value));
    (collector ? plan.collector : plan.remediation).push_back(*e);
  }
  if (auto applied = (*guard)->apply(plan); !applied) return fail(applied.error().describe());
  return 0;
}
