#include "network_admission.hpp"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/URI.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "audit_events.hpp"
#include "mamori/platform/console_session.hpp"

namespace mamori::agent {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("mamori.network"); }

// The addresses `host` has now (a literal address is its own answer), or why there are none.
std::expected<std::vector<platform::Endpoint>, std::string> resolve(const std::string& host,
                                                                    std::uint16_t port,
                                                                    const std::string& name) {
  // DNS::resolve would look a literal address up in reverse, and fail where nothing answers.
  if (Poco::Net::IPAddress literal; Poco::Net::IPAddress::tryParse(host, literal)) {
    return std::vector<platform::Endpoint>{{literal.toString(), port, name}};
  }
  try {
    std::vector<platform::Endpoint> endpoints;
    const auto entry = Poco::Net::DNS::hostByName(host);
    for (const auto& address : entry.addresses()) {
      platform::Endpoint e{address.toString(), port, name};
      if (std::ranges::find(endpoints, e) == endpoints.end()) endpoints.push_back(std::move(e));
    }
    if (endpoints.empty()) return std::unexpected(host + ": no address");
    return endpoints;
  } catch (const Poco::Exception& e) {
    return std::unexpected(host + ": " + e.displayText());
  }
}

}  // namespace

NetworkAdmission::NetworkAdmission(std::unique_ptr<platform::NetworkGuard> guard, LocalStore& store,
                                   StaffNotifier* notifier, std::filesystem::path root,
                                   policy::TimePoint started)
    : guard_(std::move(guard)),
      store_(store),
      notifier_(notifier),
      root_(std::move(root)),
      started_(started) {
  if (const auto saved = store_.state("network")) {
    if (auto state = NetworkState::fromJson(*saved)) state_ = std::move(*state);
  }
  // The firewall, not agent.db, says where the PC is: a reboot empties the kernel's rules, and
  // an admin may have flushed them.
  if (auto current = guard_->current()) {
    mode_ = *current;
    logger().information("network: the firewall is " + std::string(policy::networkModeId(mode_)) +
                         " at start");
  } else {
    logger().error("network: the firewall's mode cannot be read (taken as open): " +
                   current.error().describe());
  }
}

platform::NetworkGuardPlan NetworkAdmission::plan(const policy::NetworkDecision& decision,
                                                  const policy::AdmissionRules& rules,
                                                  const Enrollment& enrollment) {
  const Poco::URI url(enrollment.collector_url);
  std::vector<std::string> warnings;
  auto p =
      networkGuardPlan(decision, rules, url.getHost(), url.getPort(), state_, resolve, warnings);
  for (const auto& w : warnings) logger().warning("network: " + w);
  return p;
}

void NetworkAdmission::update(const policy::Policy& policy, policy::Segment segment,
                              const Enrollment* enrollment, policy::TimePoint now) {
  const auto& rules = policy.profile(segment).admission;
  // Without an enrollment there is no collector to admit the PC, nor to reach in quarantine.
  const auto decision =
      enrollment ? policy::decideNetworkMode(rules, heardAdmission(store_), started_, now)
                 : policy::NetworkDecision{policy::NetworkMode::kOpen,
                                           "network.not-enrolled",
                                           {"未登録のため端末側の検疫は行いません。",
                                            "Not enrolled: no quarantine on the PC."}};
  auto next = enrollment ? plan(decision, rules, *enrollment)
                         : platform::NetworkGuardPlan{policy::NetworkMode::kOpen, {}, {}, ""};
  // Open means no rules of mamori's: when the firewall has none, there is nothing to change
  // (and a PC without nftables is not bothered until it must be closed).
  if (!applied_ && next.mode == policy::NetworkMode::kOpen && mode_ == next.mode) applied_ = next;
  if (applied_ && *applied_ == next && state_.decision == decision) return;

  std::string error;
  if (!applied_ || *applied_ != next) {
    if (auto ok = guard_->apply(next); ok) {
      applied_ = next;
    } else {
      error = ok.error().describe();
    }
  }
  const auto from = mode_;
  if (error.empty()) mode_ = next.mode;
  const bool changed = mode_ != from || decision.mode != state_.decision.mode;
  if (changed || error != state_.error) {
    record(from, decision, error, policy.version, policy.contact, now);
  }
  // A first record has no time yet (the default): the PC has been in this mode since now.
  if (mode_ != from || state_.since == policy::TimePoint{}) state_.since = now;
  state_.decision = decision;
  state_.error = error;
  if (!next.collector.empty()) state_.collector = next.collector;
  if (!next.remediation.empty()) state_.remediation = next.remediation;
  (void)store_.setState("network", state_.toJson());
}

void NetworkAdmission::record(policy::NetworkMode from, const policy::NetworkDecision& decision,
                              const std::string& error, std::int64_t policy_version,
                              const policy::Text& contact, policy::TimePoint now) {
  const auto console = platform::activeConsoleSession(root_);
  const auto event = networkAuditEvent(from, decision, error, policy_version, now,
                                       console ? console->user : std::string());
  const auto line = "network: " + protocol::auditSubject(event) + " (" + decision.rule + ")";
  if (error.empty()) {
    logger().notice(line);
  } else {
    logger().error(line);
  }
  const auto body = boost::json::serialize(protocol::toJson(event));
  if (auto ok = store_.appendAudit(event.event_id, event.at, body); !ok) {
    logger().error("network: audit event not logged: " + ok.error().describe() + "; " + body);
  }
  if (notifier_ && error.empty() && decision.mode != from) {
    notifier_->notify(networkNotice(decision, rememberedUnmet(store_), contact), console);
  }
}

}  // namespace mamori::agent
