#pragma once

// The OS-neutral heart of quarantine on the PC, shared by the Linux agent (NetworkAdmission)
// and the Windows service (ServiceNetwork): the decision from the collector's last word, the
// guard put in that mode only when something changed, and the NetworkState kept up to date.
// Where the state and the heard admission live, and how a change is logged, audited and told,
// are the owner's.

#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "enrollment.hpp"
#include "mamori/platform/network_guard.hpp"
#include "network_plan.hpp"

namespace mamori::agent {

/// The mode the PC should be in: the collector's word through policy::decideNetworkMode, or
/// open for a PC that is not enrolled (no collector to admit it, nor to reach in quarantine).
policy::NetworkDecision networkDecision(const policy::AdmissionRules& rules,
                                        const Enrollment* enrollment,
                                        const std::optional<policy::HeardAdmission>& heard,
                                        policy::TimePoint started, policy::TimePoint now);

/// What carrying a decision out did, for the owner to record.
struct NetworkStep {
  policy::NetworkMode from = policy::NetworkMode::kOpen;  ///< the mode before
  std::string error;     ///< empty when the guard is in the decided mode
  bool entered = false;  ///< the guard's mode changed
  bool record = false;   ///< a change (of mode, of decision or of error) worth an audit event
};

class NetworkKeeper {
 public:
  /// `saved`: the state as last kept (defaults when none).
  NetworkKeeper(std::unique_ptr<platform::NetworkGuard> guard, NetworkState saved);

  /// Reads the mode back from the OS: the firewall, not the saved state, says where the PC is
  /// (a reboot empties it, an admin may have flushed it). On error the PC is taken as open.
  std::expected<policy::NetworkMode, Error> readBack();

  /// The plan for `decision`: the collector at `collector` (host, port; none when not
  /// enrolled: open) and the remediation hosts, resolved with `resolve`, or the last addresses.
  platform::NetworkGuardPlan plan(
      const policy::NetworkDecision& decision, const policy::AdmissionRules& rules,
      const std::optional<std::pair<std::string, std::uint16_t>>& collector,
      const Resolver& resolve, std::vector<std::string>& warnings) const;

  /// Puts the guard in `next` unless it is there already, and updates the state. Nullopt when
  /// nothing changed (nothing to save either).
  std::optional<NetworkStep> carryOut(const policy::NetworkDecision& decision,
                                      const platform::NetworkGuardPlan& next,
                                      policy::TimePoint now);

  [[nodiscard]] policy::NetworkMode mode() const { return mode_; }
  [[nodiscard]] const NetworkState& state() const { return state_; }

 private:
  std::unique_ptr<platform::NetworkGuard> guard_;
  policy::NetworkMode mode_ = policy::NetworkMode::kOpen;
  std::optional<platform::NetworkGuardPlan> applied_;  ///< none until the first apply
  NetworkState state_;
};

}  // namespace mamori::agent
