// The agent's self-update (issue 9) against a really signed TUF repository in memory and a
// package system in memory (platform/fake): which package is taken, what is kept to go back to,
// and how an update is settled — healthy, failed, or restored at the deadline.

#include "self_update.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "fake_package_installer.hpp"
#include "local_store_support.hpp"
#include "temp_root.hpp"
#include "updater/repository_fetcher.hpp"

namespace mamori::agent {
namespace {

using namespace std::chrono_literals;
using store_test::kNow;
using testing::RepositoryFetcher;
using testing::TempRoot;
using testing::TufRepository;

std::string packagePath(const std::string& version) {
  return "packages/debian-amd64/mamori-agent_" + version + "_amd64.deb";
}

struct SelfUpdateFixture {
  TempRoot dir;
  TufRepository repository{kNow};
  RepositoryFetcher fetcher{repository};
  LocalStore store = store_test::openStore(dir.path() / "agent.db");
  platform::fake::FakePackageInstaller* installer = nullptr;
  std::unique_ptr<SelfUpdate> update;

  SelfUpdateFixture() {
    auto fake = std::make_unique<platform::fake::FakePackageInstaller>();
    installer = fake.get();
    update = std::make_unique<SelfUpdate>(StatePaths{dir.path()}, std::move(fake), 600s);
    REQUIRE(updater::Updater::initialize(dir.path() / "tuf" / "metadata", repository.rootBytes(1)));
  }

  /// The install restarted the agent: a new process, the same PC.
  void restartAgent() {
    auto fake = std::make_unique<platform::fake::FakePackageInstaller>(*installer);
    installer = fake.get();
    update = std::make_unique<SelfUpdate>(StatePaths{dir.path()}, std::move(fake), 600s);
  }

  /// Signs the package `version` in `role` (its file's content names it).
  void publish(const std::string& version, const std::string& role = "targets") {
    const auto content = "debian package of mamori-agent " + version;
    repository.addTarget(packagePath(version), content, role,
                         tuf::packageCustom({"mamori-agent", version, "debian-amd64"}));
    repository.publish({role});
    installer->packages[content] = {"mamori-agent", version, "amd64", "debian-amd64"};
  }

  /// One cycle's look at the repository, `minutes` after kNow.
  bool check(int minutes = 0) {
    updater::Updater updater({.metadata_dir = dir.path() / "tuf" / "metadata",
                              .metadata_url = std::string(RepositoryFetcher::kMetadataUrl),
                              .target_url = std::string(RepositoryFetcher::kTargetUrl),
                              .target_dir = dir.path() / "tuf" / "targets"},
                             fetcher);
    const auto now = kNow + std::chrono::minutes(minutes);
    REQUIRE(updater.refresh(now));
    return update->check(updater, store, 1, now);
  }

  [[nodiscard]] std::string versionOf(const std::filesystem::path& file) const {
    auto identity = installer->identify(file);
    return identity ? identity->version : "(" + identity.error() + ")";
  }

  /// The update events audited so far, as `action: reason`, oldest first.
  std::vector<std::string> events() {
    std::vector<std::string> out;
    const auto audit = store.recentAudit(100);
    REQUIRE(audit);
    for (auto it = audit->rbegin(); it != audit->rend(); ++it) {
      auto event = protocol::auditEventFromJson(it->body);
      REQUIRE(event);
      const auto& what = std::get<protocol::UpdateEvent>(event->what);
      out.push_back(what.action + (what.problem.empty() ? "" : " " + what.problem));
    }
    return out;
  }
};

TEST_CASE_FIXTURE(SelfUpdateFixture,
                  "the newest signed package above the installed one is installed, and the "
                  "running version's package is kept to go back to") {
  publish("1.0.0-1");
  publish("1.0.0-2");
  publish("1.0.0-10");  // Debian's order, not the text's
  publish("0.9.0-1");
  CHECK(check());
  CHECK(installer->installs == 1);
  CHECK(versionOf(installer->next) == "1.0.0-10");
  CHECK(versionOf(installer->previous) == "1.0.0-1");
  CHECK(installer->deadline == 600s);
  const auto pending = pendingAgentUpdate(store);
  REQUIRE(pending);
  CHECK(pending->from == "1.0.0-1");
  CHECK(pending->to == "1.0.0-10");
  CHECK(pending->target == packagePath("1.0.0-10"));
  CHECK(pending->deadline == kNow + 600s);
  CHECK(events() == std::vector<std::string>{"agent-update-started"});
  // One update at a time.
  CHECK_FALSE(check(1));
  CHECK(installer->installs == 1);
}

TEST_CASE_FIXTURE(SelfUpdateFixture,
                  "the new version is healthy once a report gets through: the restore is "
                  "disarmed and the package kept for the next update") {
  publish("1.0.0-1");
  publish("1.0.0-2");
  REQUIRE(check());
  installer->finishInstall(true);
  // The old agent may still report before the install stops it: that proves nothing.
  update->reportedHealthy(store, 1, kNow);
  CHECK(pendingAgentUpdate(store));
  restartAgent();
  update->settle(store, 1, kNow + 1min);  // the new agent starts: it waits for its report
  CHECK(pendingAgentUpdate(store));
  update->reportedHealthy(store, 1, kNow + 1min);
  CHECK_FALSE(pendingAgentUpdate(store));
  CHECK_FALSE(installer->armed());
  CHECK(events() == std::vector<std::string>{"agent-update-started", "agent-updated"});
  // The next update goes back to the kept package, even once the repository drops it.
  repository.targets.at("targets").targets.erase(packagePath("1.0.0-1"));
  repository.targets.at("targets").targets.erase(packagePath("1.0.0-2"));
  publish("1.0.0-3");
  REQUIRE(check(2));
  CHECK(versionOf(installer->previous) == "1.0.0-2");
}

TEST_CASE_FIXTURE(SelfUpdateFixture,
                  "a version that never reports is restored at the deadline and never taken "
                  "again") {
  publish("1.0.0-1");
  publish("1.0.0-2");
  REQUIRE(check());
  installer->finishInstall(true);
  installer->fireRestore();  // the new agent never got a report through
  restartAgent();            // the restored one starts
  update->settle(store, 1, kNow + 11min);
  CHECK_FALSE(pendingAgentUpdate(store));
  CHECK(events() ==
        std::vector<std::string>{"agent-update-started", "agent-rolled-back not-healthy"});
  CHECK_FALSE(check(12));
  CHECK(installer->installs == 1);
  // A later version is taken again.
  publish("1.0.0-3");
  CHECK(check(13));
  CHECK(versionOf(installer->next) == "1.0.0-3");
}

TEST_CASE_FIXTURE(SelfUpdateFixture,
                  "an install that fails leaves the running version and is tried three times") {
  publish("1.0.0-1");
  publish("1.0.0-2");
  for (int attempt = 1; attempt <= SelfUpdate::kMaxAttempts; ++attempt) {
    REQUIRE(check(attempt * 2));
    installer->finishInstall(false);
    update->settle(store, 1, kNow + std::chrono::minutes(attempt * 2 + 1));
    CHECK_FALSE(installer->armed());  // the restore would only reinstall what runs
    CHECK_FALSE(pendingAgentUpdate(store));
  }
  CHECK_FALSE(check(10));
  CHECK(installer->installs == SelfUpdate::kMaxAttempts);
  CHECK(events().back() == "agent-update-failed install-failed");
}

TEST_CASE_FIXTURE(SelfUpdateFixture, "an install that cannot start is audited and undone") {
  publish("1.0.0-1");
  publish("1.0.0-2");
  installer->refuse_install = "systemd-run exited with 1";
  CHECK_FALSE(check());
  CHECK_FALSE(pendingAgentUpdate(store));
  CHECK(events() ==
        std::vector<std::string>{"agent-update-started", "agent-update-failed install-failed"});
}

TEST_CASE_FIXTURE(SelfUpdateFixture,
                  "without a package of the running version there is no update, and the "
                  "refusal is audited") {
  publish("1.0.0-2");
  CHECK_FALSE(check());
  CHECK(installer->installs == 0);
  CHECK(events() == std::vector<std::string>{"update-refused no-fallback"});
}

TEST_CASE_FIXTURE(SelfUpdateFixture, "a package a delegated role signed is never installed") {
  repository.delegate("department", {"packages/*", "policy/*"});
  publish("1.0.0-1");
  publish("1.0.0-2", "department");
  CHECK_FALSE(check());
  CHECK(installer->installs == 0);
}

TEST_CASE_FIXTURE(SelfUpdateFixture,
                  "a file that declares another package than the signed metadata is refused") {
  publish("1.0.0-1");
  publish("1.0.0-2");
  installer->packages["debian package of mamori-agent 1.0.0-2"].version = "9.9.9-1";
  CHECK_FALSE(check());
  CHECK(installer->installs == 0);
  CHECK(events() == std::vector<std::string>{"update-refused mismatch"});
}

TEST_CASE_FIXTURE(SelfUpdateFixture,
                  "a reboot that loses the restore timer still lets the new version confirm "
                  "itself") {
  publish("1.0.0-1");
  publish("1.0.0-2");
  REQUIRE(check());
  installer->finishInstall(true);
  installer->reboot();
  restartAgent();
  update->reportedHealthy(store, 1, kNow + 20min);
  CHECK_FALSE(pendingAgentUpdate(store));
  CHECK(events().back() == "agent-updated");
}

}  // namespace
}  // namespace mamori::agent
