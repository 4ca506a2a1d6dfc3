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

namespace {

NetworkState savedState(LocalStore& store) {
  if (const auto saved = store.state("network")) {
    if (auto state = NetworkState::fromJson(*saved)) return std::move(*state);
  }
  return {};
}

}  // namespace

NetworkAdmission::NetworkAdmission(std::unique_ptr<platform::NetworkGuard> guard, LocalStore& store,
                                   StaffNotifier* notifier, std::filesystem::path root,
                                   policy::TimePoint started)
    : store_(store),
      notifier_(notifier),
      root_(std::move(root)),
      started_(started),
      keeper_(std::move(guard), savedState(store)) {
  if (auto current = keeper_.readBack()) {
    logger().information("network: the firewall is " +
                         std::string(policy::networkModeId(*current)) + " at start");
  } else {
    logger().error("network: the firewall's mode cannot be read (taken as open): " +
                   current.error().describe());
  }
}

void NetworkAdmission::update(const policy::Policy& policy, policy::Segment segment,
                              const Enrollment* enrollment, policy::TimePoint now) {
  const auto& rules = policy.profile(segment).admission;
  const auto decision = networkDecision(rules, enrollment, heardAdmission(store_), started_, now);
  std::optional<std::pair<std::string, std::uint16_t>> collector;
  if (enrollment) {
    const Poco::URI url(enrollment->collector_url);
    collector = std::pair{url.getHost(), url.getPort()};
  }
  std::vector<std::string> warnings;
  const auto next = keeper_.plan(decision, rules, collector, resolve, warnings);
  for (const auto& w : warnings) logger().warning("network: " + w);
  const auto step = keeper_.carryOut(decision, next, now);
  if (!step) return;
  if (step->record) record(step->from, decision, step->error, policy.version, policy.contact, now);
  (void)store_.setState("network", keeper_.state().toJson());
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
