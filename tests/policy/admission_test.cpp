#include "mamori/policy/admission.hpp"

#include <doctest/doctest.h>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"

using namespace mamori::policy;
using namespace mamori::testing;
using namespace std::chrono_literals;

namespace {

Verdict judged(const PostureFacts& facts, const Policy& policy = builtInPolicy()) {
  return evaluate(policy, Segment::kLgwan, facts, {}, kNow);
}

PostureFacts withoutAntiMalware() {
  auto facts = healthyFacts();
  facts.antimalware = std::vector<AntiMalwareProduct>{};
  return facts;
}

}  // namespace

TEST_CASE("第85条6: a PC that has not reported within the freshness window is quarantined") {
  const auto rules = builtInPolicy().profile(Segment::kLgwan).admission;
  const auto verdict = judged(healthyFacts());
  const auto fresh = decideAdmission(verdict, rules, {}, kNow, kNow + 23h);
  CHECK(fresh.admission == Admission::kAdmit);
  CHECK_FALSE(fresh.stale);

  const auto stale = decideAdmission(verdict, rules, {}, kNow, kNow + 25h);
  CHECK(stale.admission == Admission::kQuarantine);
  CHECK(stale.stale);
  CHECK(stale.reason.en.find("no report since 2026-11-22T09:00:00Z") != std::string::npos);
}

TEST_CASE("the mynumber segment allows less silence than the others") {
  const auto policy = builtInPolicy();
  CHECK(policy.profile(Segment::kMynumber).admission.report_freshness <
        policy.profile(Segment::kLgwan).admission.report_freshness);
}

TEST_CASE("a grace period turns a new failure into a warning until it runs out") {
  auto policy = builtInPolicy();
  auto& rules = policy.profile(Segment::kLgwan).admission;
  // Every requirement that fails without anti-malware (AV-1 and those that need a product).
  const auto verdict = judged(withoutAntiMalware(), policy);
  REQUIRE(verdict.admission == Admission::kQuarantine);
  for (const auto& f : verdict.findings) {
    if (admissionFor(f, Segment::kLgwan, rules) == Admission::kQuarantine) rules.grace[f.id] = 48h;
  }

  const auto failing = updateFailingSince({}, verdict, kNow);
  REQUIRE(failing.contains("AV-1"));
  const auto in_grace = decideAdmission(verdict, rules, failing, kNow, kNow + 1h);
  CHECK(in_grace.admission == Admission::kWarn);
  REQUIRE(in_grace.grace_ends.has_value());
  CHECK(*in_grace.grace_ends == kNow + 48h);

  // Still failing two days later: the clock kept its start, so grace is over.
  const auto later = updateFailingSince(failing, verdict, kNow + 49h);
  CHECK(later.at("AV-1") == kNow);
  CHECK(decideAdmission(verdict, rules, later, kNow + 49h, kNow + 49h).admission ==
        Admission::kQuarantine);
}

TEST_CASE("a requirement without a grace period quarantines at once") {
  auto policy = builtInPolicy();
  policy.profile(Segment::kLgwan).admission.grace["PATCH-1"] = 72h;
  const auto verdict = judged(withoutAntiMalware(), policy);
  const auto failing = updateFailingSince({}, verdict, kNow);
  const auto d =
      decideAdmission(verdict, policy.profile(Segment::kLgwan).admission, failing, kNow, kNow);
  CHECK(d.admission == Admission::kQuarantine);
  CHECK(d.reason.en.find("AV-1") != std::string::npos);
}

TEST_CASE("fixing a failure resets its clock") {
  const auto failing = updateFailingSince({}, judged(withoutAntiMalware()), kNow);
  REQUIRE(failing.contains("AV-1"));
  CHECK_FALSE(updateFailingSince(failing, judged(healthyFacts()), kNow + 1h).contains("AV-1"));
}
