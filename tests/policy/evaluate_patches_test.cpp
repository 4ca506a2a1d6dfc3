#include <doctest/doctest.h>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"

using namespace mamori::policy;
using namespace mamori::testing;

namespace {

Policy withBaseline(std::string package, std::string version) {
  auto p = builtInPolicy();
  p.profile(Segment::kLgwan).patches.minimum_versions[std::move(package)] = std::move(version);
  return p;
}

}  // namespace

TEST_CASE("PATCH-1: a package below the baseline fails naming it and both versions") {
  auto facts = healthyFacts();
  facts.packages.value().packages[2].version = "3.0.11-1~deb12u2";  // openssl
  const auto f = findingOf(facts, "PATCH-1", withBaseline("openssl", "3.0.15-1~deb12u1"));
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en ==
        "packages below the baseline: openssl 3.0.11-1~deb12u2 < 3.0.15-1~deb12u1; "
        "last package update 2026-11-19 (3 days ago, limit 30 days)");
  CHECK(
      f.evidence.ja.starts_with("基準版数未満のパッケージ: openssl 3.0.11-1~deb12u2 < "
                                "3.0.15-1~deb12u1"));
}

TEST_CASE("PATCH-1: every architecture of a multiarch package must meet the baseline") {
  auto facts = healthyFacts();
  facts.packages.value().packages[1].version = "2.36-9+deb12u4";  // libc6:i386 left behind
  const auto f = findingOf(facts, "PATCH-1", withBaseline("libc6", "2.36-9+deb12u7"));
  CHECK(f.status == Status::kFail);
  CHECK(
      f.evidence.en.starts_with("packages below the baseline: libc6 2.36-9+deb12u4 < "
                                "2.36-9+deb12u7;"));
}

TEST_CASE("PATCH-1: baseline met and recent updates pass, a package not installed is no gap") {
  const auto f = findingOf(healthyFacts(), "PATCH-1", withBaseline("openssl", "3.0.15-1~deb12u1"));
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en ==
        "all 1 baseline packages at or above their minimum; last package update 2026-11-19 "
        "(3 days ago, limit 30 days)");
  CHECK(findingOf(healthyFacts(), "PATCH-1", withBaseline("firefox-esr", "128.5.0esr-1")).status ==
        Status::kPass);
}

TEST_CASE("PATCH-1: updates stalled beyond the limit fail, an unknown last update is unknown") {
  auto facts = healthyFacts();
  facts.packages.value().last_change = at("2026-10-01T12:00:00Z");
  auto f = findingOf(facts, "PATCH-1");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en == "last package update 2026-10-01 (51 days ago, limit 30 days)");

  facts.packages.value().last_change = Observed<TimePoint>::unknown("no package change recorded");
  f = findingOf(facts, "PATCH-1");
  CHECK(f.status == Status::kUnknown);
  CHECK(f.evidence.en == "cannot be determined: no package change recorded");

  auto off = builtInPolicy();
  off.profile(Segment::kLgwan).patches.max_days_since_update = std::nullopt;
  f = findingOf(facts, "PATCH-1", off);
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en == "the policy sets no update baseline");
}

TEST_CASE("PATCH-2: supported OS passes with days left, warns inside the warning window") {
  auto f = findingOf(healthyFacts(), "PATCH-2");
  CHECK(f.status == Status::kPass);
  CHECK_FALSE(f.warning);
  CHECK(f.evidence.en ==
        "Debian GNU/Linux 12 (bookworm) supported until 2028-06-30 (586 days left)");

  auto policy = builtInPolicy();
  policy.os_support.push_back({"debian", "12", at("2027-01-31"), "Debian 12"});
  policy.os_support.erase(policy.os_support.begin() + 2);  // the built-in Debian 12 line
  f = findingOf(healthyFacts(), "PATCH-2", policy);
  CHECK(f.status == Status::kPass);
  CHECK(f.warning);
  CHECK(f.evidence.en.ends_with("supported until 2027-01-31 (70 days left)"));
}

TEST_CASE("PATCH-2: past end of support fails, an OS missing from the calendar is unknown") {
  auto facts = healthyFacts();
  facts.os = OsRelease{"debian", "11", "Debian GNU/Linux 11 (bullseye)", "bullseye"};
  auto f = findingOf(facts, "PATCH-2");
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en ==
        "Debian GNU/Linux 11 (bullseye) reached end of support on 2026-08-31 (83 days ago)");

  facts.os = OsRelease{"rocky", "9.4", "Rocky Linux 9.4", ""};
  f = findingOf(facts, "PATCH-2");
  CHECK(f.status == Status::kUnknown);
  CHECK(f.evidence.en ==
        "the policy's calendar has no end-of-support date for Rocky Linux 9.4 (rocky 9.4)");
}
