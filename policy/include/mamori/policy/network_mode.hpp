#pragma once

// Admission on the PC itself (NET-2 第85条6, NET-4 第107条3): which firewall mode the PC puts
// itself in, from what the collector last said and what the segment's policy demands. The
// decision is the same on every OS; platform::NetworkGuard carries it out.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "mamori/policy/policy.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/time.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::policy {

enum class NetworkMode {
  kOpen,        ///< admitted: mamori's rules are absent
  kQuarantine,  ///< DNS, DHCP, the collector and the remediation endpoints only
  kIsolated,    ///< CSIRT isolation: DHCP (to keep the address) and the collector only
};

/// `open`, `quarantine`, `isolated`.
std::string_view networkModeId(NetworkMode mode);
std::optional<NetworkMode> parseNetworkMode(std::string_view id);
/// The mode in a staff member's or admin's words: `検疫中` / `quarantined`.
Text networkModeText(NetworkMode mode);

/// The collector's last word about this PC, as the agent heard it.
struct HeardAdmission {
  Admission admission = Admission::kQuarantine;
  bool isolated = false;  ///< a CSIRT isolation is in force (only an admin release lifts it)
  Text reason;
  TimePoint heard_at;  ///< when the agent received it (the agent's clock)
};

struct NetworkDecision {
  NetworkMode mode = NetworkMode::kOpen;
  /// What decided, as an audit rule id: `network.isolation`, `network.admission`,
  /// `network.no-admission`, `network.off`.
  std::string rule;
  Text reason;  ///< one line for the staff member and the audit log

  bool operator==(const NetworkDecision&) const = default;
};

/// The mode the PC should be in at `now`, for an agent that started at `started`:
/// - isolated while the collector says so, whatever else holds;
/// - `local_quarantine: off`: open;
/// - otherwise the collector's admission (quarantine, or open for admit and warn) while it is
///   fresh: heard within the segment's `report_freshness` and, for `fail_closed`, since the
///   agent started (so a PC is quarantined from boot until its first admit);
/// - without a fresh admission, `fail_closed` quarantines; `on_quarantine` keeps to the last
///   admission heard (a quarantined PC stays so while the collector is out of reach), and is
///   open when nothing was ever heard.
NetworkDecision decideNetworkMode(const AdmissionRules& rules,
                                  const std::optional<HeardAdmission>& heard, TimePoint started,
                                  TimePoint now);

}  // namespace mamori::policy
