#pragma once

// Signed policy distribution on the PC (issue 9). Every cycle of an enrolled agent refreshes the
// TUF repository its collector serves (TrustedRepository) and looks there for this PC's policy
// bundle: `policy/<segment>/<department>.json` when the department has its own, else
// `policy/<segment>.json`. A bundle newer than the running policy is checked by the policy codec
// and, only if it passes, kept in the state directory and handed back to be put in force; the
// last good policy runs on whatever fails. Everything refused on the way (a bad signature, a
// rollback, a bundle that does not parse) is audited like the repository's own refusals.

#include <filesystem>
#include <optional>
#include <string>

#include "agent_state.hpp"
#include "local_store.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/updater/updater.hpp"

namespace mamori::agent {

struct SignedPolicy {
  policy::Policy policy;
  std::string target;  ///< `policy/mynumber.json`
};

/// Which policy runs, since when, and where it came from (`signed policy/mynumber.json`, the
/// policy file's path, `built-in`): kept in agent.db for `mamori-agent status`.
struct PolicyInForce {
  std::int64_t version = 0;
  std::string name;
  std::string source;
  policy::TimePoint since;
};
void recordPolicyInForce(LocalStore& store, const policy::Policy& policy, std::string source,
                         policy::TimePoint now);
std::optional<PolicyInForce> policyInForce(LocalStore& store);

/// Audits that the signed policy `target` replaced version `from` with `to`, and clears the
/// remembered refusal (the next one is news again).
void auditPolicyActivated(LocalStore& store, const std::string& target, std::int64_t from,
                          std::int64_t to, policy::TimePoint now);

class PolicyUpdate {
 public:
  explicit PolicyUpdate(StatePaths paths) : paths_(std::move(paths)) {}

  /// A verified policy for this PC newer than `running` from the refreshed `updater`, or nothing
  /// (none newer, none published, or refused: then audited in `store`).
  std::optional<SignedPolicy> check(updater::Updater& updater, const Enrollment& enrollment,
                                    const policy::Policy& running, LocalStore& store,
                                    policy::TimePoint now);

  /// The signed policy last put in force, as kept in the state directory; nothing when there is
  /// none or it no longer parses.
  [[nodiscard]] std::optional<policy::Policy> stored() const;

 private:
  [[nodiscard]] std::filesystem::path storedFile() const {
    return paths_.dir / "policy-signed.json";
  }
  StatePaths paths_;
};

}  // namespace mamori::agent
