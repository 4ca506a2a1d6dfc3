#include "self_update.hpp"

#include <Poco/Logger.h>

#include <boost/json.hpp>

#include "mamori/policy/debian_version.hpp"
#include "trusted_repository.hpp"

namespace mamori::agent {
namespace {

constexpr const char* kPendingKey = "agent_update";
constexpr const char* kFailuresKey = "agent_update_failures";

Poco::Logger& log() { return Poco::Logger::get("mamori.agent.update"); }

bool newer(const std::string& a, const std::string& b) {
  const auto order = policy::compareDebianVersions(a, b);
  return order && *order > 0;
}

boost::json::object failureCounts(LocalStore& store) {
  const auto saved = store.state(kFailuresKey);
  boost::system::error_code ec;
  auto parsed = saved ? boost::json::parse(*saved, ec) : boost::json::value();
  return !ec && parsed.is_object() ? parsed.as_object() : boost::json::object();
}

int failuresOf(const boost::json::object& counts, const std::string& version) {
  const auto* n = counts.if_contains(version);
  return n && n->is_int64() ? static_cast<int>(n->as_int64()) : 0;
}

void recordPending(LocalStore& store, const PendingAgentUpdate& p) {
  const boost::json::object record{{"from", p.from},
                                   {"to", p.to},
                                   {"target", p.target},
                                   {"started", policy::formatTimestamp(p.started)},
                                   {"deadline", policy::formatTimestamp(p.deadline)}};
  (void)store.setState(kPendingKey, boost::json::serialize(record));
}

std::string seconds(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

void removeQuietly(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::remove(file, ec);
}

}  // namespace

std::optional<PendingAgentUpdate> pendingAgentUpdate(LocalStore& store) {
  const auto saved = store.state(kPendingKey);
  if (!saved || saved->empty()) return std::nullopt;
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(*saved, ec);
  const auto* o = parsed.if_object();
  if (ec || o == nullptr) return std::nullopt;
  const auto text = [&](std::string_view key) -> std::string {
    const auto* v = o->if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  const auto started = policy::parseTimestamp(text("started"));
  const auto deadline = policy::parseTimestamp(text("deadline"));
  if (!started || !deadline) return std::nullopt;
  return PendingAgentUpdate{text("from"), text("to"), text("target"), *started, *deadline};
}

std::string SelfUpdate::installedVersion() {
  auto version = installer_->installedVersion();
  return version ? *version : std::string();
}

void SelfUpdate::finish(LocalStore& store, const std::string& version, int failures) {
  auto counts = failureCounts(store);
  if (failures > 0) {
    counts[version] = failures;
  } else {
    counts.erase(version);
  }
  (void)store.setState(kFailuresKey, boost::json::serialize(counts));
  (void)store.setState(kPendingKey, "");
}

void SelfUpdate::settle(LocalStore& store, std::int64_t policy_version, policy::TimePoint now) {
  const auto pending = pendingAgentUpdate(store);
  if (!pending) return;
  const auto installed = installer_->installedVersion();
  // Half-installed (dpkg at work, or a broken package the restore will replace): wait.
  if (!installed) return;
  if (*installed == pending->to) return;  // the new version, waiting for its first report
  if (installer_->installing()) return;
  if (*installed != pending->from) {
    // Someone installed another version by hand: that one rules, and the update is over.
    (void)installer_->disarmRestore();
    log().warning("agent update " + pending->from + " -> " + pending->to +
                  " overtaken: " + *installed + " is installed");
    finish(store, pending->to, 0);
    removeQuietly(nextFile());
    removeQuietly(previousFile());
    return;
  }
  // The running version is the old one. Either the restore ran (the deadline passed: the new
  // version never reported) or the install failed before it (the restore is disarmed now: it
  // would only install again what runs).
  const bool restored =
      installer_->disarmRestore() == platform::RestoreState::kRunning || now >= pending->deadline;
  const int failures = restored ? kMaxAttempts : failuresOf(failureCounts(store), pending->to) + 1;
  const std::string reason =
      restored ? "version " + pending->to + " did not report healthy within " +
                     seconds(std::chrono::duration_cast<std::chrono::seconds>(pending->deadline -
                                                                              pending->started)) +
                     "; version " + pending->from + " is back and " + pending->to +
                     " will not be installed again"
               : "installing version " + pending->to + " failed (attempt " +
                     std::to_string(failures) + " of " + std::to_string(kMaxAttempts) +
                     "); version " + pending->from + " keeps running";
  if (restored) {
    log().error(reason);
  } else {
    log().warning(reason);
  }
  auditUpdate(store, policy_version, now,
              {restored ? "agent-rolled-back" : "agent-update-failed", "update.package",
               pending->target, restored ? "not-healthy" : "install-failed", reason});
  finish(store, pending->to, failures);
  started_here_ = false;
  std::error_code ec;
  std::filesystem::rename(previousFile(), currentFile(), ec);
  removeQuietly(nextFile());
}

void SelfUpdate::reportedHealthy(LocalStore& store, std::int64_t policy_version,
                                 policy::TimePoint now) {
  const auto pending = pendingAgentUpdate(store);
  if (!pending || started_here_) return;
  const auto installed = installer_->installedVersion();
  if (!installed || *installed != pending->to) return;
  // Too late: the restore is under way, and the restored agent settles the update.
  if (installer_->disarmRestore() == platform::RestoreState::kRunning) return;
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(now - pending->started);
  const auto reason = "version " + pending->from + " -> " + pending->to +
                      ", healthy (first report acknowledged) after " + seconds(took);
  log().information("agent updated: " + reason);
  auditUpdate(store, policy_version, now,
              {"agent-updated", "update.package", pending->target, "", reason});
  finish(store, pending->to, 0);
  forgetUpdateRefusal(store);
  std::error_code ec;
  std::filesystem::rename(nextFile(), currentFile(), ec);
  removeQuietly(previousFile());
}

std::expected<void, std::string> SelfUpdate::checkIdentity(const std::filesystem::path& file,
                                                           const std::string& version) {
  auto identity = installer_->identify(file);
  if (!identity) return std::unexpected(identity.error());
  const auto declared = identity->name + " " + identity->version + " (" + identity->platform + ")";
  if (identity->name != installer_->packageName() || identity->version != version ||
      identity->platform != installer_->platformName()) {
    return std::unexpected("the file declares " + declared + ", the signed metadata " +
                           installer_->packageName() + " " + version + " (" +
                           installer_->platformName() + ")");
  }
  return {};
}

std::expected<void, std::string> SelfUpdate::keepWayBack(
    updater::Updater& updater, const std::optional<updater::TargetInfo>& running,
    const std::string& installed) {
  std::error_code ec;
  if (std::filesystem::exists(previousFile(), ec) && checkIdentity(previousFile(), installed)) {
    return {};
  }
  if (std::filesystem::exists(currentFile(), ec) && checkIdentity(currentFile(), installed)) {
    std::filesystem::rename(currentFile(), previousFile(), ec);
    if (!ec) return {};
  }
  if (!running) {
    return std::unexpected("no package of the running version " + installed +
                           " to restore if the new one fails: publish it too (mamori-policy "
                           "sign-package)");
  }
  const auto file = updater.download(*running);
  if (!file) return std::unexpected(file.error().error.describe());
  if (auto same = checkIdentity(*file, installed); !same) return same;
  std::filesystem::rename(*file, previousFile(), ec);
  if (ec) return std::unexpected(previousFile().string() + ": " + ec.message());
  return {};
}

bool SelfUpdate::check(updater::Updater& updater, LocalStore& store, std::int64_t policy_version,
                       policy::TimePoint now) {
  if (pendingAgentUpdate(store)) return false;
  const auto installed = installer_->installedVersion();
  const auto* trusted = updater.trusted();
  const auto* targets = trusted ? trusted->targets("targets") : nullptr;
  if (!installed || targets == nullptr) return false;
  // Only the top-level targets role: packages are code, and no delegation may sign code.
  const auto platform = installer_->platformName();
  const auto failures = failureCounts(store);
  std::optional<updater::TargetInfo> newest, running;
  std::string newest_version;
  for (const auto& [path, file] : targets->signed_.targets) {
    const auto package = tuf::announcedPackage(file);
    if (!path.starts_with("packages/" + platform + "/") || !package ||
        package->name != installer_->packageName() || package->platform != platform) {
      continue;
    }
    if (package->version == *installed) running = updater::TargetInfo{path, file, "targets"};
    if (newer(package->version, *installed) &&
        failuresOf(failures, package->version) < kMaxAttempts &&
        (!newest || newer(package->version, newest_version))) {
      newest = updater::TargetInfo{path, file, "targets"};
      newest_version = package->version;
    }
  }
  if (!newest) return false;
  const auto refuse = [&](std::string problem, std::string reason) {
    auditUpdateRefusal(store, policy_version, now, "update.package", newest->path,
                       std::move(problem), std::move(reason));
    return false;
  };
  std::error_code ec;
  std::filesystem::create_directories(dir(), ec);
  if (auto back = keepWayBack(updater, running, *installed); !back) {
    return refuse("no-fallback", back.error());
  }
  const auto file = updater.download(*newest);
  if (!file) {
    return refuse(std::string(tuf::problemName(file.error().problem)), file.error().error.message);
  }
  std::filesystem::rename(*file, nextFile(), ec);
  if (ec) return refuse("storage", nextFile().string() + ": " + ec.message());
  if (auto same = checkIdentity(nextFile(), newest_version); !same) {
    removeQuietly(nextFile());
    return refuse("mismatch", same.error());
  }
  // Recorded before anything is started: the install may end this process at any moment.
  const PendingAgentUpdate pending{*installed, newest_version, newest->path, now, now + deadline_};
  recordPending(store, pending);
  const auto what = "version " + *installed + " -> " + newest_version + ", healthy within " +
                    seconds(deadline_) + " or " + *installed + " is restored";
  log().information("agent update: " + what);
  auditUpdate(store, policy_version, now,
              {"agent-update-started", "update.package", newest->path, "", what});
  if (auto started = installer_->install(nextFile(), previousFile(), deadline_); !started) {
    const int failed = failuresOf(failures, newest_version) + 1;
    log().error("agent update: " + started.error());
    auditUpdate(store, policy_version, now,
                {"agent-update-failed", "update.package", newest->path, "install-failed",
                 started.error() + " (attempt " + std::to_string(failed) + " of " +
                     std::to_string(kMaxAttempts) + ")"});
    finish(store, newest_version, failed);
    std::filesystem::rename(previousFile(), currentFile(), ec);
    removeQuietly(nextFile());
    return false;
  }
  started_here_ = true;
  return true;
}

}  // namespace mamori::agent
