#pragma once

// The agent updates itself (issue 9). Agent packages are targets of the city's TUF repository,
// signed by the top-level targets role only (a department's delegated key can push a policy for
// its PCs, never code): `packages/<platform>/<file>`, announced with their package name, version
// and platform in the signed metadata. Each cycle the agent takes the newest one above the
// installed version, checks that the downloaded file declares what was announced, and:
//   1. records the update in agent.db (from, to, deadline) and audits it;
//   2. arms a restore of the running version's package that fires at the deadline by itself;
//   3. starts the install, which restarts the agent.
// The new agent disarms the restore after the collector acknowledged its first report: healthy.
// A version that never gets there is restored by the timer, whatever the new code does; the
// restored agent then audits the rollback and never takes that version again. An install that
// fails leaves the running version, is audited, and is retried at most three times.
//
// The running version's package comes from the last update (kept in the state directory) or
// from the repository: without one there is no way back, and no update (refused and audited).

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "agent_state.hpp"
#include "local_store.hpp"
#include "mamori/platform/package_installer.hpp"
#include "mamori/updater/updater.hpp"

namespace mamori::agent {

/// An update started and not yet settled, as kept in agent.db (for `status` too).
struct PendingAgentUpdate {
  std::string from;
  std::string to;
  std::string target;
  policy::TimePoint started;
  policy::TimePoint deadline;
};
std::optional<PendingAgentUpdate> pendingAgentUpdate(LocalStore& store);

class SelfUpdate {
 public:
  SelfUpdate(StatePaths paths, std::unique_ptr<platform::PackageInstaller> installer,
             std::chrono::seconds deadline)
      : paths_(std::move(paths)), installer_(std::move(installer)), deadline_(deadline) {}

  /// The installed package's version (for reports); empty when it cannot be read.
  std::string installedVersion();

  /// Settles an update started earlier, from what is installed now: the new version waits for
  /// its first report; the old one still in place means the install failed or was restored.
  void settle(LocalStore& store, std::int64_t policy_version, policy::TimePoint now);

  /// The collector acknowledged a report of this agent: a new version is healthy.
  void reportedHealthy(LocalStore& store, std::int64_t policy_version, policy::TimePoint now);

  /// Starts installing the newest signed package above the installed version. True when the
  /// install started (it restarts the agent).
  bool check(updater::Updater& updater, LocalStore& store, std::int64_t policy_version,
             policy::TimePoint now);

  static constexpr int kMaxAttempts = 3;

 private:
  [[nodiscard]] std::filesystem::path dir() const { return paths_.dir / "update"; }
  [[nodiscard]] std::filesystem::path nextFile() const { return dir() / "next.pkg"; }
  [[nodiscard]] std::filesystem::path previousFile() const { return dir() / "previous.pkg"; }
  [[nodiscard]] std::filesystem::path currentFile() const { return dir() / "current.pkg"; }

  /// Puts the package of the running version at previousFile(); the error is why it cannot.
  std::expected<void, std::string> keepWayBack(updater::Updater& updater,
                                               const std::optional<updater::TargetInfo>& running,
                                               const std::string& installed);
  /// Checks that `file` declares the package `announced`.
  std::expected<void, std::string> checkIdentity(const std::filesystem::path& file,
                                                 const std::string& version);
  void finish(LocalStore& store, const std::string& version, int failures);

  StatePaths paths_;
  std::unique_ptr<platform::PackageInstaller> installer_;
  std::chrono::seconds deadline_;
  /// This process started the pending update: it is the old version, whose reports prove
  /// nothing about the new one.
  bool started_here_ = false;
};

}  // namespace mamori::agent
