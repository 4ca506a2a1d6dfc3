// Quarantine on a Windows PC inside the service (NET-2, NET-4), under wine with a firewall in
// memory (wine's filter engine is a stub): what the collector said becomes the guard's mode, a
// restarted service puts it back, isolation needs no DNS, and a refusal is retried.

#include "service_network.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <random>

#include "desktop_notice.hpp"
#include "fake_network_guard.hpp"
#include "state_files.hpp"

namespace mamori::agent::windows {
namespace {

namespace fs = std::filesystem;
using platform::fake::FakeNetworkGuard;
using policy::NetworkMode;

const auto kStart = *policy::parseTimestamp("2026-12-02T09:00:00Z");

struct TempDir {
  fs::path path =
      fs::temp_directory_path() / ("mamori-network-" + std::to_string(std::random_device{}()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Enrollment enrolled() {
  Enrollment e;
  e.collector_url = "https://collector.example.lg.jp:8443";
  e.device_id = "dev-1";
  e.segment = policy::Segment::kLgwan;
  return e;
}

policy::Policy policyWith(policy::LocalQuarantine mode) {
  auto p = policy::builtInPolicy();
  auto& admission = p.profile(policy::Segment::kLgwan).admission;
  admission.local_quarantine = mode;
  admission.remediation = {{"updates.example.lg.jp", 443}};
  return p;
}

protocol::AdmissionState said(policy::Admission admission, bool isolated = false) {
  protocol::AdmissionState s;
  s.device_id = "dev-1";
  s.admission = admission;
  s.reason = {"AV-2 不合格により検疫", "quarantined for AV-2"};
  if (isolated) s.isolation = protocol::Isolation{kStart, "csirt", "INC-2026-0042"};
  return s;
}

// A resolver that knows two names and counts the questions.
struct Dns {
  int asked = 0;
  bool down = false;
  Resolver resolver() {
    return [this](const std::string& host, std::uint16_t port, const std::string& name)
               -> std::expected<std::vector<platform::Endpoint>, std::string> {
      ++asked;
      if (down) return std::unexpected(host + ": no answer");
      if (host == "collector.example.lg.jp")
        return std::vector<platform::Endpoint>{{"192.0.2.10", port, name}};
      if (host == "updates.example.lg.jp")
        return std::vector<platform::Endpoint>{{"198.51.100.7", port, name}};
      return std::unexpected(host + ": unknown");
    };
  }
};

struct Service {
  AuditLog audit;
  std::vector<StaffNotice> notices;
  FakeNetworkGuard* guard = nullptr;
  std::unique_ptr<ServiceNetwork> network;
  Service(const TempDir& dir, Dns& dns, NetworkMode in_force = NetworkMode::kOpen,
          policy::TimePoint started = kStart)
      : audit(dir.path) {
    auto g = std::make_unique<FakeNetworkGuard>(in_force);
    guard = g.get();
    network = std::make_unique<ServiceNetwork>(
        std::move(g), EnrollmentFiles{dir.path}, dns.resolver(), started, &audit,
        [this](const StaffNotice& n) { notices.push_back(n); });
  }
};

TEST_CASE("NET-2: the collector's quarantine closes the PC but for the collector and updates") {
  const TempDir dir;
  Dns dns;
  Service service(dir, dns);
  const auto e = enrolled();
  const auto policy = policyWith(policy::LocalQuarantine::kOnQuarantine);
  service.network->update(policy, e.segment, &e, kStart);
  CHECK(service.guard->applied.empty());  // never heard anything: open, nothing to change

  service.network->heard(said(policy::Admission::kQuarantine), kStart, {"AV-2"});
  service.network->update(policy, e.segment, &e, kStart + std::chrono::seconds{1});
  REQUIRE(service.guard->applied.size() == 1);
  // The person at the PC is told why, what to fix and whom to ask, in both languages.
  REQUIRE(service.notices.size() == 1);
  CHECK(service.notices[0].title.ja == "この端末は検疫中です");
  CHECK(service.notices[0].body.ja.find("AV-2") != std::string::npos);
  CHECK(service.notices[0].body.en.find("quarantined for AV-2") != std::string::npos);
  const auto box = noticeText(service.notices[0]);
  CHECK(box.title == L"この端末は検疫中です / This PC is in quarantine");
  CHECK(box.text.find(L"\r\n\r\nNetwork access is limited") != std::wstring::npos);
  const auto& plan = service.guard->applied.back();
  CHECK(plan.mode == NetworkMode::kQuarantine);
  CHECK(plan.collector == std::vector<platform::Endpoint>{{"192.0.2.10", 8443, "collector"}});
  CHECK(plan.remediation ==
        std::vector<platform::Endpoint>{{"198.51.100.7", 443, "updates.example.lg.jp"}});
  CHECK(plan.reason == "network.admission: quarantined for AV-2");
  CHECK(service.network->mode() == NetworkMode::kQuarantine);
  // The change waits in the audit log for the next report.
  const auto logged = service.audit.waiting(10).events;
  REQUIRE(logged.size() == 1);
  const auto& change = std::get<protocol::NetworkChangeEvent>(logged[0].what);
  CHECK(change.from == NetworkMode::kOpen);
  CHECK(change.to == NetworkMode::kQuarantine);
  CHECK(change.rule == "network.admission");
  const auto saved = NetworkState::fromJson(*readStateFile(dir.path / "network.json"));
  REQUIRE(saved);
  CHECK(saved->decision.mode == NetworkMode::kQuarantine);
  CHECK(saved->collector == plan.collector);

  // The same word again changes nothing.
  service.network->update(policy, e.segment, &e, kStart + std::chrono::seconds{2});
  CHECK(service.guard->applied.size() == 1);

  // Fixed: the collector admits, the PC opens.
  service.network->heard(said(policy::Admission::kAdmit), kStart + std::chrono::minutes{1});
  service.network->update(policy, e.segment, &e, kStart + std::chrono::minutes{1});
  CHECK(service.guard->applied.back().mode == NetworkMode::kOpen);
  CHECK(service.network->mode() == NetworkMode::kOpen);
  REQUIRE(service.notices.size() == 2);
  CHECK(service.notices[1].title.en == "Network access restored");
}

TEST_CASE("NET-2: a restarted service keeps the quarantine, and lets the PC back on admit") {
  const TempDir dir;
  Dns dns;
  const auto e = enrolled();
  const auto policy = policyWith(policy::LocalQuarantine::kOnQuarantine);
  {
    Service first(dir, dns);
    first.network->heard(said(policy::Admission::kQuarantine), kStart);
    first.network->update(policy, e.segment, &e, kStart);
  }
  // The filters stayed in the engine; the service comes back with no word heard since.
  Service again(dir, dns, NetworkMode::kQuarantine, kStart + std::chrono::hours{1});
  CHECK(again.network->mode() == NetworkMode::kQuarantine);
  again.network->update(policy, e.segment, &e, kStart + std::chrono::hours{1});
  // The last word stands: replaced in one step with fresh addresses, never opened between.
  REQUIRE_FALSE(again.guard->applied.empty());
  for (const auto& plan : again.guard->applied) CHECK(plan.mode == NetworkMode::kQuarantine);
  again.network->heard(said(policy::Admission::kAdmit), kStart + std::chrono::hours{1});
  again.network->update(policy, e.segment, &e, kStart + std::chrono::hours{1});
  CHECK(again.guard->applied.back().mode == NetworkMode::kOpen);
}

TEST_CASE("NET-4: isolation keeps only the collector, at the addresses resolved before") {
  const TempDir dir;
  Dns dns;
  Service service(dir, dns);
  const auto e = enrolled();
  const auto policy = policyWith(policy::LocalQuarantine::kOnQuarantine);
  service.network->heard(said(policy::Admission::kQuarantine), kStart);
  service.network->update(policy, e.segment, &e, kStart);
  const int asked = dns.asked;
  service.network->heard(said(policy::Admission::kQuarantine, true), kStart);
  service.network->update(policy, e.segment, &e, kStart + std::chrono::seconds{1});
  CHECK(dns.asked == asked);  // DNS is closed in isolation: not asked
  const auto& plan = service.guard->applied.back();
  CHECK(plan.mode == NetworkMode::kIsolated);
  CHECK(plan.collector == std::vector<platform::Endpoint>{{"192.0.2.10", 8443, "collector"}});
  CHECK(plan.remediation.empty());
}

TEST_CASE("NET-2: mynumber fails closed; a PC not enrolled stays open") {
  const TempDir dir;
  Dns dns;
  Service service(dir, dns);
  const auto e = enrolled();
  const auto closed = policyWith(policy::LocalQuarantine::kFailClosed);
  service.network->update(closed, e.segment, nullptr, kStart);
  CHECK(service.guard->applied.empty());  // no collector to admit it, nor to reach
  service.network->update(closed, e.segment, &e, kStart);
  REQUIRE_FALSE(service.guard->applied.empty());
  CHECK(service.guard->applied.back().mode == NetworkMode::kQuarantine);
  CHECK(service.network->state().decision.rule != "network.admission");
}

TEST_CASE("NET-2: a firewall that refuses is remembered with the reason, and retried") {
  const TempDir dir;
  Dns dns;
  Service service(dir, dns);
  const auto e = enrolled();
  const auto policy = policyWith(policy::LocalQuarantine::kOnQuarantine);
  service.network->heard(said(policy::Admission::kQuarantine), kStart);
  service.guard->refuse = "the filter engine is not running";
  service.network->update(policy, e.segment, &e, kStart);
  CHECK(service.network->mode() == NetworkMode::kOpen);
  CHECK(service.network->state().error.find("the filter engine is not running") !=
        std::string::npos);
  service.guard->refuse.reset();
  service.network->update(policy, e.segment, &e, kStart + std::chrono::minutes{1});
  CHECK(service.network->mode() == NetworkMode::kQuarantine);
  CHECK(service.network->state().error.empty());
}

TEST_CASE("NET-2: a collector name that does not resolve falls back to the last addresses") {
  const TempDir dir;
  Dns dns;
  const auto e = enrolled();
  const auto policy = policyWith(policy::LocalQuarantine::kOnQuarantine);
  {
    Service first(dir, dns);
    first.network->heard(said(policy::Admission::kQuarantine), kStart);
    first.network->update(policy, e.segment, &e, kStart);
  }
  // Restarted while DNS does not answer: the filters are put back with what network.json keeps.
  dns.down = true;
  Service again(dir, dns, NetworkMode::kQuarantine, kStart + std::chrono::hours{1});
  again.network->update(policy, e.segment, &e, kStart + std::chrono::hours{1});
  REQUIRE(again.guard->applied.size() == 1);
  const auto& plan = again.guard->applied.back();
  CHECK(plan.mode == NetworkMode::kQuarantine);
  CHECK(plan.collector == std::vector<platform::Endpoint>{{"192.0.2.10", 8443, "collector"}});
  CHECK(plan.remediation ==
        std::vector<platform::Endpoint>{{"198.51.100.7", 443, "updates.example.lg.jp"}});
}

}  // namespace
}  // namespace mamori::agent::windows
