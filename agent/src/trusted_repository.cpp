#include "trusted_repository.hpp"

#include <Poco/Logger.h>

#include "collector_client.hpp"
#include "mamori/protocol/atomic_file.hpp"
#include "mamori/protocol/audit_event.hpp"
#include "mamori/protocol/messages.hpp"

namespace mamori::agent {

void auditUpdate(LocalStore& store, std::int64_t policy_version, policy::TimePoint now,
                 protocol::UpdateEvent what) {
  protocol::AuditEvent event;
  event.event_id = protocol::randomUuid();
  event.at = now;
  event.policy_version = policy_version;
  event.what = std::move(what);
  (void)store.appendAudit(event);
}

namespace {

// One memory per rule: a package refusal and a policy refusal that both persist are two events,
// not two per cycle.
constexpr const char* kRules[] = {"update.root", "update.metadata", "update.policy",
                                  "update.package"};

std::string refusalKey(std::string_view rule) { return "update_refusal:" + std::string(rule); }

}  // namespace

void auditUpdateRefusal(LocalStore& store, std::int64_t policy_version, policy::TimePoint now,
                        std::string rule, std::string target, std::string problem,
                        std::string reason) {
  const auto key = target + ": " + (problem.empty() ? "" : problem + ": ") + reason;
  if (store.state(refusalKey(rule)) == key) return;
  Poco::Logger::get("mamori.agent.update").error("refused " + key);
  (void)store.setState(refusalKey(rule), key);
  (void)store.setState("last_update_refusal", key);  // for `status`
  auditUpdate(store, policy_version, now,
              {"update-refused", std::move(rule), std::move(target), std::move(problem),
               std::move(reason)});
}

void forgetUpdateRefusal(LocalStore& store) {
  for (const char* rule : kRules) (void)store.setState(refusalKey(rule), "");
  (void)store.setState("last_update_refusal", "");
}

bool TrustedRepository::haveTrustedRoot(LocalStore& store, policy::TimePoint now) {
  std::error_code ec;
  if (std::filesystem::exists(tufDir() / "metadata" / "root.json", ec)) return true;
  if (!std::filesystem::exists(trusted_root_, ec)) return false;
  auto bytes = protocol::readSmallFile(trusted_root_, 512'000);
  auto initialized = bytes ? updater::Updater::initialize(tufDir() / "metadata", *bytes)
                           : std::unexpected(tuf::Rejection{tuf::Problem::kStorage, bytes.error()});
  if (!initialized) {
    auditUpdateRefusal(store, 0, now, "update.root", trusted_root_.string(),
                       std::string(tuf::problemName(initialized.error().problem)),
                       initialized.error().error.describe());
    return false;
  }
  Poco::Logger::get("mamori.agent.update")
      .information("signed updates: trusting the root in " + trusted_root_.string());
  return true;
}

updater::Updater* TrustedRepository::refresh(const Enrollment& enrollment, LocalStore& store,
                                             std::int64_t policy_version, policy::TimePoint now) {
  updater_.reset();
  if (!haveTrustedRoot(store, now)) return nullptr;
  updater::HttpFetcherOptions fetch;
  fetch.context = tlsContext(enrolledClient(paths_, enrollment));
  fetcher_ = updater::makeHttpFetcher(std::move(fetch));
  updater_ = std::make_unique<updater::Updater>(
      updater::UpdaterConfig{.metadata_dir = tufDir() / "metadata",
                             .metadata_url = enrollment.collector_url + "/v1/tuf/metadata",
                             .target_url = enrollment.collector_url + "/v1/tuf/targets",
                             .target_dir = tufDir() / "targets"},
      *fetcher_);
  if (auto ok = updater_->refresh(now); !ok) {
    // An unreachable collector is no refusal: the report cycle already says it is out of reach.
    if (ok.error().problem != tuf::Problem::kUnavailable) {
      auditUpdateRefusal(store, policy_version, now, "update.metadata", ok.error().error.file,
                         std::string(tuf::problemName(ok.error().problem)),
                         ok.error().error.message);
    }
    updater_.reset();
    return nullptr;
  }
  return updater_.get();
}

}  // namespace mamori::agent
