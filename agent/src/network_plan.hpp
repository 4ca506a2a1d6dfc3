#pragma once

// The OS-neutral half of quarantine on the PC (NET-2 第85条6, NET-4 第107条3), shared by the
// Linux agent (network_admission.cpp, agent.db) and the Windows service (service_network.cpp,
// files): what the agent remembers about its firewall, the collector's admission as heard, and
// the plan a decision becomes, with the addresses resolved now or, failing that, last time.

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/platform/network_guard.hpp"
#include "mamori/policy/network_mode.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/protocol/messages.hpp"

namespace mamori::agent {

/// What the agent last did with the firewall, for `status`, and the addresses it last
/// resolved: in isolation DNS is closed, and a restarted agent must still let the collector
/// through.
struct NetworkState {
  policy::NetworkDecision decision;
  policy::TimePoint since;  ///< when the PC entered `decision.mode`
  std::string error;        ///< empty when the firewall is in that mode
  std::vector<platform::Endpoint> collector;
  std::vector<platform::Endpoint> remediation;

  [[nodiscard]] std::string toJson() const;
  static std::expected<NetworkState, Error> fromJson(std::string_view text);
};

/// `status`'s lines about the firewall (label, value) in `lang`; `state` none: the agent never
/// touched it.
std::vector<std::pair<std::string, std::string>> networkStatusLines(
    const std::optional<NetworkState>& state, policy::Lang lang);

/// The collector's admission as the decision takes it, heard at `heard_at`. Isolated, the
/// admin's own words (an incident number) are the reason worth repeating.
policy::HeardAdmission heardOf(const protocol::AdmissionState& state, policy::TimePoint heard_at);

/// The addresses `host` has now (a literal address is its own answer), or why there are none.
using Resolver = std::function<std::expected<std::vector<platform::Endpoint>, std::string>(
    const std::string& host, std::uint16_t port, const std::string& name)>;

/// The rule set's comment: printable ASCII without quotes, short. What else the reason holds
/// (an admin's Japanese words) is left out; the audit log and `status` keep it whole.
std::string asciiReason(const policy::NetworkDecision& decision);

/// The plan for `decision`: the collector (`collector_host`:`collector_port`) and, in
/// quarantine, the segment's remediation hosts, resolved now; in isolation DNS is closed, so the
/// addresses of `last` serve, as they do for a name that does not resolve. What went wrong is
/// added to `warnings`.
platform::NetworkGuardPlan networkGuardPlan(const policy::NetworkDecision& decision,
                                            const policy::AdmissionRules& rules,
                                            const std::string& collector_host,
                                            std::uint16_t collector_port, const NetworkState& last,
                                            const Resolver& resolve,
                                            std::vector<std::string>& warnings);

}  // namespace mamori::agent
