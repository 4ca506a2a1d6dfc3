// Quarantine on the PC inside the agent (issue 7): what the collector said becomes the firewall's
// mode, a restart puts it back in one step, and every change is logged, audited and told.

#include "network_admission.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "fake_command_runner.hpp"
#include "fake_network_guard.hpp"
#include "local_store_support.hpp"
#include "mamori/agent/service_commands.hpp"
#include "temp_root.hpp"

namespace mamori::agent {
namespace {

using namespace store_test;
using platform::fake::FakeNetworkGuard;
using policy::NetworkMode;
using std::chrono::minutes;
using testing::TempRoot;

Enrollment enrolled(std::string url = "https://127.0.0.1:8443") {
  Enrollment e;
  e.collector_url = std::move(url);
  e.device_id = "dev-1";
  e.segment = policy::Segment::kLgwan;
  return e;
}

policy::Policy policyWith(policy::LocalQuarantine mode) {
  auto p = policy::builtInPolicy();
  auto& admission = p.profile(policy::Segment::kLgwan).admission;
  admission.local_quarantine = mode;
  admission.remediation = {{"192.0.2.80", 80}};
  p.contact = {"ヘルプデスク（内線 2345）", "the help desk (ext. 2345)"};
  return p;
}

protocol::AdmissionState said(policy::Admission admission) {
  protocol::AdmissionState s;
  s.device_id = "dev-1";
  s.admission = admission;
  s.reason = admission == policy::Admission::kQuarantine
                 ? policy::Text{"AV-2 不合格により検疫", "quarantined for AV-2"}
                 : policy::Text{"適合", "compliant"};
  return s;
}

std::vector<protocol::NetworkChangeEvent> networkEvents(LocalStore& store) {
  std::vector<protocol::NetworkChangeEvent> events;
  const auto logged = store.unreportedAudit(100);
  REQUIRE(logged.has_value());
  for (const auto& entry : *logged) {
    auto event = protocol::auditEventFromJson(entry.body);
    REQUIRE(event.has_value());
    events.push_back(std::get<protocol::NetworkChangeEvent>(event->what));
  }
  return events;
}

std::string status(const TempRoot& root, policy::Lang lang) {
  std::ostringstream out, err;
  CHECK(runStatus(root.path(), lang, false, out, err) == 0);
  return out.str();
}

struct Fixture {
  TempRoot root;
  LocalStore store = openStore(root.path() / "agent.db");
  platform::fake::FakeCommandRunner commands;
  StaffNotifier notifier{commands, root.path(), policy::Lang::kJa};

  // The agent as it starts: `in_force` is what the kernel holds.
  std::pair<std::unique_ptr<NetworkAdmission>, FakeNetworkGuard*> start(
      NetworkMode in_force = NetworkMode::kOpen, policy::TimePoint at = kNow) {
    auto guard = std::make_unique<FakeNetworkGuard>(in_force);
    auto* raw = guard.get();
    return {std::make_unique<NetworkAdmission>(std::move(guard), store, &notifier, root.path(), at),
            raw};
  }
};

TEST_CASE(
    "NET-2: the collector's quarantine closes the PC to all but the collector and remediation") {
  Fixture f;
  const auto policy = policyWith(policy::LocalQuarantine::kOnQuarantine);
  const auto enrollment = enrolled();
  auto [network, guard] = f.start();
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow);
  CHECK(network->mode() == NetworkMode::kOpen);  // nothing heard yet
  CHECK(guard->applied.empty());                 // and nothing of mamori's in the firewall
  CHECK(networkEvents(f.store).empty());

  rememberAdmission(f.store, said(policy::Admission::kQuarantine), {"AV-2"}, kNow);
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow + minutes{1});
  CHECK(network->mode() == NetworkMode::kQuarantine);
  const auto& plan = guard->applied.back();
  CHECK(plan.mode == NetworkMode::kQuarantine);
  CHECK(plan.collector == std::vector<platform::Endpoint>{{"127.0.0.1", 8443, "collector"}});
  CHECK(plan.remediation == std::vector<platform::Endpoint>{{"192.0.2.80", 80, "192.0.2.80"}});
  CHECK(plan.reason == "network.admission: quarantined for AV-2");
  auto events = networkEvents(f.store);
  REQUIRE(events.size() == 1);
  CHECK(events[0].from == NetworkMode::kOpen);
  CHECK(events[0].to == NetworkMode::kQuarantine);
  CHECK(events[0].error.empty());
  // The staff member is told, in Japanese, why and whom to call.
  REQUIRE(f.commands.calls().empty());  // nobody at a desktop: the journal only
  CHECK(rememberedUnmet(f.store) == std::vector<std::string>{"AV-2"});
  const auto notice = networkNotice(
      {NetworkMode::kQuarantine, "network.admission", said(policy::Admission::kQuarantine).reason},
      rememberedUnmet(f.store), policy.contact);
  CHECK(notice.title.ja == "この端末は検疫中です");
  CHECK(notice.body.ja.find("AV-2 不合格により検疫") != std::string::npos);
  CHECK(notice.body.ja.find("ヘルプデスク（内線 2345）") != std::string::npos);
  const auto* av2 = policy::findRequirement("AV-2");
  REQUIRE(av2 != nullptr);
  CHECK(notice.body.ja.find("修正が必要な項目:\n・AV-2 " + av2->title.ja) != std::string::npos);
  CHECK(notice.body.en.find("To be fixed:\n- AV-2 " + av2->title.en) != std::string::npos);

  // `status` shows the mode and the reason, in either language.
  CHECK(status(f.root, policy::Lang::kJa).find("ネットワーク: 検疫中 (") != std::string::npos);
  CHECK(status(f.root, policy::Lang::kEn).find("network: quarantined (") != std::string::npos);
  CHECK(status(f.root, policy::Lang::kEn).find("— quarantined for AV-2") != std::string::npos);

  // Asked again with nothing new: the firewall is not touched.
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow + minutes{2});
  CHECK(guard->applied.size() == 1);

  rememberAdmission(f.store, said(policy::Admission::kAdmit), {}, kNow + minutes{3});
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow + minutes{3});
  CHECK(network->mode() == NetworkMode::kOpen);
  CHECK(guard->applied.back().collector.empty());
  events = networkEvents(f.store);
  REQUIRE(events.size() == 2);
  CHECK(events[1].to == NetworkMode::kOpen);
  CHECK(status(f.root, policy::Lang::kEn).find("network: open (") != std::string::npos);
}

TEST_CASE("a restarted agent puts a quarantine back in one step, without an event") {
  Fixture f;
  const auto policy = policyWith(policy::LocalQuarantine::kOnQuarantine);
  const auto enrollment = enrolled();
  rememberAdmission(f.store, said(policy::Admission::kQuarantine), {"AV-2"}, kNow);
  {
    auto [network, guard] = f.start();
    network->update(policy, policy::Segment::kLgwan, &enrollment, kNow);
  }  // SIGKILL: the kernel keeps the rules
  const auto before = networkEvents(f.store).size();
  auto [network, guard] = f.start(NetworkMode::kQuarantine, kNow + minutes{5});
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow + minutes{5});
  // One apply: the same mode, replaced as a whole (fresh addresses), never open in between.
  REQUIRE(guard->applied.size() == 1);
  CHECK(guard->applied[0].mode == NetworkMode::kQuarantine);
  CHECK(networkEvents(f.store).size() == before);

  SUBCASE("after a reboot the kernel's rules are gone: back into quarantine, audited") {
    auto [rebooted, fresh_guard] = f.start(NetworkMode::kOpen, kNow + minutes{10});
    rebooted->update(policy, policy::Segment::kLgwan, &enrollment, kNow + minutes{10});
    CHECK(fresh_guard->applied.back().mode == NetworkMode::kQuarantine);
    const auto events = networkEvents(f.store);
    CHECK(events.back().from == NetworkMode::kOpen);
    CHECK(events.back().to == NetworkMode::kQuarantine);
  }
}

TEST_CASE("mynumber fails closed: quarantined from start until the first admit") {
  Fixture f;
  const auto policy = policyWith(policy::LocalQuarantine::kFailClosed);
  const auto enrollment = enrolled();
  rememberAdmission(f.store, said(policy::Admission::kAdmit), {},
                    kNow - minutes{30});  // before boot
  auto [network, guard] = f.start(NetworkMode::kOpen, kNow);
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow);
  CHECK(network->mode() == NetworkMode::kQuarantine);
  CHECK(guard->applied.back().reason ==
        "network.no-admission: No admission from the collector since the agent started.");
  rememberAdmission(f.store, said(policy::Admission::kAdmit), {}, kNow + minutes{1});
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow + minutes{1});
  CHECK(network->mode() == NetworkMode::kOpen);
}

TEST_CASE("a firewall that refuses is audited with the reason, and retried") {
  Fixture f;
  const auto policy = policyWith(policy::LocalQuarantine::kOnQuarantine);
  const auto enrollment = enrolled();
  auto [network, guard] = f.start();
  guard->refuse = "Operation not permitted";
  rememberAdmission(f.store, said(policy::Admission::kQuarantine), {"AV-2"}, kNow);
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow);
  CHECK(network->mode() == NetworkMode::kOpen);
  auto events = networkEvents(f.store);
  REQUIRE(events.size() == 1);
  CHECK(events[0].to == NetworkMode::kQuarantine);
  CHECK(events[0].error.find("Operation not permitted") != std::string::npos);
  CHECK(status(f.root, policy::Lang::kEn).find("firewall not set: ") != std::string::npos);

  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow + minutes{1});
  CHECK(networkEvents(f.store).size() == 1);  // the same failure is not filed again
  guard->refuse.reset();
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow + minutes{2});
  CHECK(network->mode() == NetworkMode::kQuarantine);
  events = networkEvents(f.store);
  REQUIRE(events.size() == 2);
  CHECK(events[1].error.empty());
}

TEST_CASE("NET-4: isolation keeps only the collector, at the addresses resolved before") {
  Fixture f;
  const auto policy = policyWith(policy::LocalQuarantine::kOff);
  NetworkState known;
  known.decision = {NetworkMode::kOpen, "network.admission", {"", ""}};
  known.since = kNow;
  known.collector = {{"10.0.0.5", 8443, "collector"}};
  REQUIRE(f.store.setState("network", known.toJson()));
  // A name that cannot resolve: in isolation DNS is not even asked.
  const auto enrollment = enrolled("https://collector.invalid:8443");
  auto isolated = said(policy::Admission::kQuarantine);
  isolated.isolation = protocol::Isolation{kNow, "csirt-sato", "INC-0042"};
  rememberAdmission(f.store, isolated, {}, kNow);
  auto [network, guard] = f.start();
  network->update(policy, policy::Segment::kLgwan, &enrollment, kNow);
  CHECK(network->mode() == NetworkMode::kIsolated);
  CHECK(guard->applied.back().collector == known.collector);
  CHECK(guard->applied.back().remediation.empty());
}

TEST_CASE("an agent that is not enrolled leaves the firewall open") {
  Fixture f;
  auto [network, guard] = f.start(NetworkMode::kQuarantine);
  network->update(policyWith(policy::LocalQuarantine::kFailClosed), policy::Segment::kLgwan,
                  nullptr, kNow);
  CHECK(network->mode() == NetworkMode::kOpen);
  CHECK(networkEvents(f.store).back().from == NetworkMode::kQuarantine);
}

TEST_CASE("the network state survives agent.db") {
  NetworkState s;
  s.decision = {NetworkMode::kIsolated, "network.isolation", {"隔離", "isolated"}};
  s.since = kNow;
  s.error = "";
  s.collector = {{"2001:db8::5", 8443, "collector"}};
  s.remediation = {{"192.0.2.80", 80, "deb.example.jp"}};
  const auto back = NetworkState::fromJson(s.toJson());
  REQUIRE_MESSAGE(back.has_value(), back.error().describe());
  CHECK(back->decision == s.decision);
  CHECK(back->collector == s.collector);
  CHECK(back->remediation == s.remediation);
  CHECK_FALSE(NetworkState::fromJson(R"({"mode":"closed"})").has_value());
}

}  // namespace
}  // namespace mamori::agent
