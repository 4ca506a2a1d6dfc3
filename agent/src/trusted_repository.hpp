#pragma once

// The collector's TUF repository as this PC trusts it (issue 9): refreshed once per cycle over
// the same mutual TLS as reports, from the root of trust the city installs with the agent. Signed
// policies (PolicyUpdate) and the agent's own packages (SelfUpdate) are both read from it.
// Everything refused on the way is an audit event the next report carries, once per distinct
// refusal, so that the admin sees attacks and mistakes without one event per cycle.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "agent_state.hpp"
#include "local_store.hpp"
#include "mamori/updater/updater.hpp"

namespace mamori::agent {

/// Audits a refusal (`update-refused`) unless it is the one audited last for the same rule.
void auditUpdateRefusal(LocalStore& store, std::int64_t policy_version, policy::TimePoint now,
                        std::string rule, std::string target, std::string problem,
                        std::string reason);
/// Audits an update event other than a refusal.
void auditUpdate(LocalStore& store, std::int64_t policy_version, policy::TimePoint now,
                 protocol::UpdateEvent what);
/// The next refusal is news again, even the same as the last.
void forgetUpdateRefusal(LocalStore& store);

class TrustedRepository {
 public:
  TrustedRepository(StatePaths paths, std::filesystem::path trusted_root)
      : paths_(std::move(paths)), trusted_root_(std::move(trusted_root)) {}

  /// This cycle's view of the repository, refreshed; nothing when there is no root of trust,
  /// the collector is out of reach, or the metadata was refused (then audited).
  updater::Updater* refresh(const Enrollment& enrollment, LocalStore& store,
                            std::int64_t policy_version, policy::TimePoint now);

 private:
  [[nodiscard]] std::filesystem::path tufDir() const { return paths_.dir / "tuf"; }
  bool haveTrustedRoot(LocalStore& store, policy::TimePoint now);

  StatePaths paths_;
  std::filesystem::path trusted_root_;
  std::unique_ptr<updater::Fetcher> fetcher_;
  std::unique_ptr<updater::Updater> updater_;
};

}  // namespace mamori::agent
