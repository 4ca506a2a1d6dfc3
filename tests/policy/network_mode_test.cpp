// Which firewall mode the PC puts itself in (issue 7, NET-2 第85条6, NET-4 第107条3).

#include "mamori/policy/network_mode.hpp"

#include <doctest/doctest.h>

namespace mamori::policy {
namespace {

using std::chrono::hours;

const TimePoint kStart = *parseTimestamp("2026-12-01T08:00:00Z");

AdmissionRules rules(LocalQuarantine mode) {
  AdmissionRules r;
  r.local_quarantine = mode;
  r.report_freshness = hours{24};
  return r;
}

HeardAdmission heard(Admission admission, TimePoint at, bool isolated = false) {
  return {admission, isolated, {"理由", "reason"}, at};
}

TEST_CASE("on_quarantine follows the collector, and keeps its last word while out of reach") {
  const auto r = rules(LocalQuarantine::kOnQuarantine);
  const auto now = kStart + hours{1};
  CHECK(decideNetworkMode(r, std::nullopt, kStart, now).mode == NetworkMode::kOpen);
  CHECK(decideNetworkMode(r, std::nullopt, kStart, now).rule == "network.no-admission");

  const auto q = decideNetworkMode(r, heard(Admission::kQuarantine, now), kStart, now);
  CHECK(q.mode == NetworkMode::kQuarantine);
  CHECK(q.rule == "network.admission");
  CHECK(q.reason.en == "reason");
  CHECK(decideNetworkMode(r, heard(Admission::kWarn, now), kStart, now).mode == NetworkMode::kOpen);
  CHECK(decideNetworkMode(r, heard(Admission::kAdmit, now), kStart, now).mode ==
        NetworkMode::kOpen);

  // Heard before this start, and two days ago: still the collector's last word.
  const auto old = kStart - hours{48};
  CHECK(decideNetworkMode(r, heard(Admission::kQuarantine, old), kStart, now).mode ==
        NetworkMode::kQuarantine);
  CHECK(decideNetworkMode(r, heard(Admission::kAdmit, old), kStart, now).mode ==
        NetworkMode::kOpen);
}

TEST_CASE("fail_closed quarantines from boot until the first admit, and when it goes stale") {
  const auto r = rules(LocalQuarantine::kFailClosed);
  const auto now = kStart + hours{1};
  const auto boot = decideNetworkMode(r, std::nullopt, kStart, now);
  CHECK(boot.mode == NetworkMode::kQuarantine);
  CHECK(boot.rule == "network.no-admission");
  CHECK(boot.reason.en == "No admission from the collector since the agent started.");

  // An admit from before this start does not count.
  CHECK(decideNetworkMode(r, heard(Admission::kAdmit, kStart - hours{1}), kStart, now).mode ==
        NetworkMode::kQuarantine);
  CHECK(decideNetworkMode(r, heard(Admission::kAdmit, kStart + hours{1}), kStart, now).mode ==
        NetworkMode::kOpen);
  CHECK(decideNetworkMode(r, heard(Admission::kWarn, kStart), kStart, now).mode ==
        NetworkMode::kOpen);

  // 24 hours fresh, not a second more.
  const auto admitted = heard(Admission::kAdmit, kStart);
  CHECK(decideNetworkMode(r, admitted, kStart, kStart + hours{24}).mode == NetworkMode::kOpen);
  const auto stale =
      decideNetworkMode(r, admitted, kStart, kStart + hours{24} + std::chrono::seconds{1});
  CHECK(stale.mode == NetworkMode::kQuarantine);
  CHECK(stale.reason.en == "The collector's admission is older than 24 hours.");
}

TEST_CASE("off leaves the PC open, but a CSIRT isolation holds in every segment") {
  const auto now = kStart + hours{1};
  const auto off = rules(LocalQuarantine::kOff);
  const auto q = decideNetworkMode(off, heard(Admission::kQuarantine, now), kStart, now);
  CHECK(q.mode == NetworkMode::kOpen);
  CHECK(q.rule == "network.off");

  for (const auto mode :
       {LocalQuarantine::kOff, LocalQuarantine::kOnQuarantine, LocalQuarantine::kFailClosed}) {
    // Isolation does not go stale: only an admin release lifts it.
    const auto isolated = decideNetworkMode(
        rules(mode), heard(Admission::kQuarantine, kStart - hours{100}, true), kStart, now);
    CHECK(isolated.mode == NetworkMode::kIsolated);
    CHECK(isolated.rule == "network.isolation");
    CHECK(isolated.reason.en == "CSIRT isolation: reason");
  }
}

TEST_CASE("network modes have ids and words") {
  for (const auto mode : {NetworkMode::kOpen, NetworkMode::kQuarantine, NetworkMode::kIsolated}) {
    CHECK(parseNetworkMode(networkModeId(mode)) == mode);
  }
  CHECK_FALSE(parseNetworkMode("closed").has_value());
  CHECK(networkModeText(NetworkMode::kQuarantine).ja == "検疫中");
  CHECK(networkModeText(NetworkMode::kIsolated).en == "isolated");
}

}  // namespace
}  // namespace mamori::policy
