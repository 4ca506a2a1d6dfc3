// PATCH-1 and PATCH-2 on Windows PCs: the build against the city's baseline, the end of support
// per release and edition, and an ESU exception (Windows 10 after 2025-10-14).

#include <doctest/doctest.h>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"

using namespace mamori::policy;
using namespace mamori::testing;

namespace {

// A Windows PC of the given release and edition, updated by Windows Update three days ago.
PostureFacts windowsPc(std::string release, std::string ubr, std::string edition,
                       std::string name) {
  auto facts = healthyFacts();
  OsRelease os;
  os.id = "windows";
  os.version_id = release;
  os.build = release + "." + ubr;
  os.edition = std::move(edition);
  os.pretty_name = std::move(name);
  facts.os = os;
  PackageInventory updates;
  updates.manager = "windows-update";
  updates.last_change = kNow - std::chrono::days{3};
  facts.packages = updates;
  return facts;
}

Policy withBuildBaseline(std::string release, std::string minimum) {
  auto p = builtInPolicy();
  p.profile(Segment::kLgwan).patches.minimum_os_builds[std::move(release)] = std::move(minimum);
  return p;
}

}  // namespace

TEST_CASE("PATCH-1: a Windows build below the baseline of its release fails, naming both") {
  const auto facts = windowsPc("10.0.26100", "6899", "Enterprise", "Windows 11 Enterprise 24H2");
  const auto f = findingOf(facts, "PATCH-1", withBuildBaseline("10.0.26100", "10.0.26100.7171"));
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en ==
        "build 10.0.26100.6899 is below the baseline 10.0.26100.7171; last update installed "
        "2026-11-19 (3 days ago, limit 30 days)");
  CHECK(f.evidence.ja.starts_with("ビルド 10.0.26100.6899 は基準 10.0.26100.7171 未満"));
}

TEST_CASE("PATCH-1: a Windows build at or above the baseline passes") {
  const auto policy = withBuildBaseline("10.0.26100", "10.0.26100.7171");
  for (const auto* ubr : {"7171", "7309"}) {
    CAPTURE(ubr);
    const auto f =
        findingOf(windowsPc("10.0.26100", ubr, "Enterprise", "Windows 11"), "PATCH-1", policy);
    CHECK(f.status == Status::kPass);
    CHECK(f.evidence.en.starts_with("build 10.0.26100." + std::string(ubr) +
                                    " (at or above the baseline 10.0.26100.7171)"));
  }
}

TEST_CASE("PATCH-1: update revisions compare as numbers, not as text") {
  const auto f = findingOf(windowsPc("10.0.19045", "10000", "Professional", "Windows 10"),
                           "PATCH-1", withBuildBaseline("10.0.19045", "10.0.19045.6456"));
  CHECK(f.status == Status::kPass);
}

TEST_CASE("PATCH-1: Windows Update silent for longer than the policy allows fails") {
  auto facts = windowsPc("10.0.26100", "7171", "Enterprise", "Windows 11");
  facts.packages.value().last_change = kNow - std::chrono::days{45};
  const auto f = findingOf(facts, "PATCH-1");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en == "last update installed 2026-10-08 (45 days ago, limit 30 days)");
}

TEST_CASE("PATCH-1: Windows Update unreadable: the build is still judged, the rest unknown") {
  auto facts = windowsPc("10.0.26100", "6899", "Enterprise", "Windows 11");
  facts.packages = Observed<PackageInventory>::unknown("Windows Update Agent: QueryHistory failed");
  CHECK(findingOf(facts, "PATCH-1", withBuildBaseline("10.0.26100", "10.0.26100.7171")).status ==
        Status::kFail);
  const auto f = findingOf(facts, "PATCH-1");
  CHECK(f.status == Status::kUnknown);
  CHECK(f.evidence.en.ends_with("Windows Update Agent: QueryHistory failed"));
}

TEST_CASE("PATCH-2: Windows 10 22H2 after 2025-10-14 is past its end of support") {
  const auto facts = windowsPc("10.0.19045", "6456", "Professional", "Windows 10 Pro 22H2");
  const auto f = findingOf(facts, "PATCH-2");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en == "Windows 10 Pro 22H2 reached end of support on 2025-10-14 (404 days ago)");
  const auto v = evaluate(builtInPolicy(), Segment::kLgwan, facts, {}, kNow);
  CHECK_FALSE(v.compliant);
  CHECK(v.admission == Admission::kQuarantine);
}

TEST_CASE("PATCH-2: an ESU exception for the PC waives Windows 10's end of support") {
  const auto facts = windowsPc("10.0.19045", "6456", "Professional", "Windows 10 Pro 22H2");
  Exception esu;
  esu.id = "EXC-2026-031";
  esu.requirement = "PATCH-2";
  esu.scope.devices = {facts.device.hostname};
  esu.reason = "拡張セキュリティ更新（ESU）契約 2 年目";
  esu.approver = "CISO（副市長）";
  esu.expires = at("2027-10-12T00:00:00Z");
  const auto v = evaluate(builtInPolicy(), Segment::kLgwan, facts, {esu}, kNow);
  const auto* f = v.find("PATCH-2");
  REQUIRE(f != nullptr);
  CHECK(f->exception_id == "EXC-2026-031");
  CHECK(v.compliant);
}

TEST_CASE("PATCH-2: support ends per edition: Windows 11 24H2 Pro has ended, Enterprise has not") {
  const auto pro =
      findingOf(windowsPc("10.0.26100", "7171", "Professional", "Windows 11 Pro"), "PATCH-2");
  CHECK(pro.status == Status::kFail);
  CHECK(pro.evidence.en.find("2026-10-13") != std::string::npos);
  const auto enterprise =
      findingOf(windowsPc("10.0.26100", "7171", "Enterprise", "Windows 11 Enterprise"), "PATCH-2");
  CHECK(enterprise.status == Status::kPass);
  CHECK(enterprise.evidence.en ==
        "Windows 11 Enterprise supported until 2027-10-12 (324 days left)");
}

TEST_CASE("PATCH-2: LTSC has a calendar of its own") {
  const auto ltsc = findingOf(
      windowsPc("10.0.19044", "6456", "EnterpriseS", "Windows 10 Enterprise LTSC 2021"), "PATCH-2");
  CHECK(ltsc.status == Status::kPass);
  CHECK(ltsc.warning);  // 2027-01-12 is within the 180-day warning
}

TEST_CASE("USB-1: a Windows PC without the storage restriction fails in Windows' own terms") {
  auto facts = windowsPc("10.0.26100", "7171", "Enterprise", "Windows 11 Enterprise 24H2");
  UsbInventory usb;
  usb.controllers.push_back({R"(USB\ROOT_HUB30\4&2B4C3F1&0&0)", 1, std::nullopt});
  facts.usb = usb;
  const auto open = findingOf(facts, "USB-1");
  CHECK(open.status == Status::kFail);
  CHECK(open.evidence.en.find(R"(do not deny USB\Class_08)") != std::string::npos);
  CHECK(open.evidence.en.find("authorized_default") == std::string::npos);

  usb.controllers[0].authorized_default = 0;
  facts.usb = usb;
  CHECK(findingOf(facts, "USB-1").status == Status::kPass);
}

TEST_CASE("PATCH-1: a security update waiting longer than the update window fails, naming it") {
  auto facts = windowsPc("10.0.26100", "7171", "Enterprise", "Windows 11 Enterprise 24H2");
  auto updates = facts.packages.value();
  updates.pending_security_updates = std::vector<PendingUpdate>{
      {"2026-09 Cumulative Update for Windows 11 Version 24H2 (KB5065426)",
       kNow - std::chrono::days{45}},
      {"2026-11 Cumulative Update for Windows 11 Version 24H2 (KB5068861)",
       kNow - std::chrono::days{5}}};
  facts.packages = updates;
  const auto late = findingOf(facts, "PATCH-1");
  CHECK(late.status == Status::kFail);
  CHECK(late.evidence.en.find("2 security updates waiting, 1 released more than 30 days ago: "
                              "2026-09 Cumulative Update") != std::string::npos);
  CHECK(late.evidence.en.find("KB5068861") == std::string::npos);  // within the window

  // Days after Patch Tuesday every PC has some: not a failure yet.
  updates.pending_security_updates->value().erase(
      updates.pending_security_updates->value().begin());
  facts.packages = updates;
  const auto fresh = findingOf(facts, "PATCH-1");
  CHECK(fresh.status == Status::kPass);
  CHECK(fresh.evidence.en.find("1 security updates waiting, none overdue") != std::string::npos);

  updates.pending_security_updates = std::vector<PendingUpdate>{};
  facts.packages = updates;
  CHECK(findingOf(facts, "PATCH-1").evidence.en.find("no security update waiting") !=
        std::string::npos);

  updates.pending_security_updates = Observed<std::vector<PendingUpdate>>::unknown(
      "Windows Update Agent: Search failed: 0x80240438");
  facts.packages = updates;
  const auto unread = findingOf(facts, "PATCH-1");
  CHECK(unread.status == Status::kUnknown);
  CHECK(unread.evidence.en.find("0x80240438") != std::string::npos);
}
