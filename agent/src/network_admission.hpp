#pragma once

// Quarantine on the PC inside `mamori-agent run` (NET-2 第85条6, NET-4 第107条3): after every
// word from the collector, and once at start, the agent decides the mode its firewall should be
// in (policy::decideNetworkMode) and puts it there through platform::NetworkGuard. The rules
// live in the kernel, so a crashed agent leaves the PC as it was; a starting agent reads them
// back and replaces them in one step, never opening the PC in between.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent_state.hpp"
#include "local_store.hpp"
#include "mamori/platform/network_guard.hpp"
#include "mamori/policy/network_mode.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/protocol/messages.hpp"
#include "network_keeper.hpp"
#include "network_plan.hpp"
#include "staff_notice.hpp"

namespace mamori::agent {

/// The collector's last admission as agent.db holds it (`last_admission`, and when it arrived,
/// `last_admission_heard`); none before the first.
std::optional<policy::HeardAdmission> heardAdmission(LocalStore& store);
/// Keeps what the collector said, and when, for the decisions and for `status`; `unmet` are
/// the requirements its verdict did not pass (`last_unmet`), named in the staff's notice.
void rememberAdmission(LocalStore& store, const protocol::AdmissionState& state,
                       const std::vector<std::string>& unmet, policy::TimePoint heard_at);
std::vector<std::string> rememberedUnmet(LocalStore& store);

class NetworkAdmission {
 public:
  /// `store` is the agent loop's own connection; every call comes from that thread. `notifier`
  /// may be null (no staff notices). `started` is when the agent started (fail-closed segments
  /// are quarantined until the first admit after it). `root` is where the console session is
  /// looked up, to name the person at the PC in the audit log.
  NetworkAdmission(std::unique_ptr<platform::NetworkGuard> guard, LocalStore& store,
                   StaffNotifier* notifier, std::filesystem::path root, policy::TimePoint started);

  /// Decides from what agent.db holds and puts the firewall in that mode if it is not already
  /// there (with fresh addresses). A change is logged, told to the staff member and written to
  /// the audit log, which the next report carries to the collector.
  void update(const policy::Policy& policy, policy::Segment segment, const Enrollment* enrollment,
              policy::TimePoint now);

  /// The mode the firewall is in (as last applied or read back).
  [[nodiscard]] policy::NetworkMode mode() const { return keeper_.mode(); }

 private:
  void record(policy::NetworkMode from, const policy::NetworkDecision& decision,
              const std::string& error, std::int64_t policy_version, const policy::Text& contact,
              policy::TimePoint now);

  LocalStore& store_;
  StaffNotifier* notifier_;
  std::filesystem::path root_;
  policy::TimePoint started_;
  NetworkKeeper keeper_;
};

}  // namespace mamori::agent
