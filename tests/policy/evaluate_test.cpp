#include "mamori/policy/evaluate.hpp"

#include <doctest/doctest.h>

#include "facts_builder.hpp"

using namespace mamori::policy;
using namespace mamori::testing;

namespace {

Exception waiver(std::string requirement, TimePoint expires) {
  Exception e;
  e.id = "EXC-2026-014";
  e.requirement = std::move(requirement);
  e.reason = "検証用端末のため";
  e.approver = "CISO 副市長";
  e.expires = expires;
  return e;
}

PostureFacts withoutAntiMalware() {
  auto facts = healthyFacts();
  facts.antimalware = std::vector<AntiMalwareProduct>{};
  return facts;
}

}  // namespace

TEST_CASE("a healthy PC is compliant and admitted in every segment") {
  for (auto segment : kAllSegments) {
    CAPTURE(segmentId(segment));
    const auto v = evaluate(builtInPolicy(), segment, healthyFacts(), {}, kNow);
    CHECK(v.compliant);
    CHECK(v.admission == Admission::kAdmit);
    CHECK(v.segment == segment);
    CHECK(v.findings.size() == 15);
    for (const auto& f : v.findings) CHECK(f.status == Status::kPass);
  }
}

TEST_CASE("findings come in report order, one per requirement id") {
  const auto v = evaluate(builtInPolicy(), Segment::kLgwan, healthyFacts(), {}, kNow);
  std::vector<std::string> ids;
  for (const auto& f : v.findings) ids.push_back(f.id);
  CHECK(ids == std::vector<std::string>{"USB-1", "USB-2", "USB-3", "USB-4", "AV-1", "AV-2", "AV-3",
                                        "AV-5", "PATCH-1", "PATCH-2", "MFA-1", "MFA-2", "MFA-3",
                                        "MFA-4", "MFA-5"});
}

TEST_CASE("admission: a failure at the quarantine severity quarantines, a lighter one warns") {
  auto facts = healthyFacts();
  facts.antimalware.value().front().engine_version = std::string("0.103.8");
  auto policy = builtInPolicy();
  for (auto s : kAllSegments) policy.profile(s).antimalware.min_engine_versions["clamav"] = "1.0.0";
  // AV-3 weighs medium: LGWAN quarantines from high, mynumber from medium.
  auto v = evaluate(policy, Segment::kLgwan, facts, {}, kNow);
  CHECK_FALSE(v.compliant);
  CHECK(v.admission == Admission::kWarn);
  v = evaluate(policy, Segment::kMynumber, facts, {}, kNow);
  CHECK(v.admission == Admission::kQuarantine);

  v = evaluate(builtInPolicy(), Segment::kLgwan, withoutAntiMalware(), {}, kNow);
  CHECK(v.admission == Admission::kQuarantine);  // AV-1 is critical
}

TEST_CASE(
    "admission: unknown quarantines in mynumber (fail-closed), elsewhere as the policy says") {
  auto facts = healthyFacts();
  facts.usb = Observed<UsbInventory>::unknown("sysfs is not mounted at /sys");
  auto v = evaluate(builtInPolicy(), Segment::kMynumber, facts, {}, kNow);
  CHECK_FALSE(v.compliant);
  CHECK(v.admission == Admission::kQuarantine);

  v = evaluate(builtInPolicy(), Segment::kLgwan, facts, {}, kNow);
  CHECK(v.admission == Admission::kWarn);

  auto policy = builtInPolicy();
  policy.profile(Segment::kInternet).admission.on_unknown = UnknownAction::kAdmit;
  CHECK(evaluate(policy, Segment::kInternet, facts, {}, kNow).admission == Admission::kAdmit);
  policy.profile(Segment::kInternet).admission.on_unknown = UnknownAction::kQuarantine;
  CHECK(evaluate(policy, Segment::kInternet, facts, {}, kNow).admission == Admission::kQuarantine);
  // Even a policy built in code that says admit cannot open the mynumber segment.
  policy.profile(Segment::kMynumber).admission.on_unknown = UnknownAction::kAdmit;
  CHECK(evaluate(policy, Segment::kMynumber, facts, {}, kNow).admission == Admission::kQuarantine);
}

TEST_CASE("EXC-1: an approved exception waives the requirement until it expires") {
  const Exceptions granted{waiver("AV-1", at("2027-03-31"))};
  const auto v = evaluate(builtInPolicy(), Segment::kLgwan, withoutAntiMalware(), granted, kNow);
  const auto* f = v.find("AV-1");
  REQUIRE(f != nullptr);
  CHECK(f->status == Status::kExcepted);
  CHECK(f->exception_id == "EXC-2026-014");
  CHECK(f->evidence.en ==
        "no anti-malware product is installed; exception EXC-2026-014 approved by CISO 副市長 "
        "until 2027-03-31: 検証用端末のため");
  // AV-2 and AV-3 are not waived by an AV-1 exception.
  CHECK(v.find("AV-2")->status == Status::kFail);
  CHECK_FALSE(v.compliant);
}

TEST_CASE("EXC-1: after expiry the requirement applies again, and the finding says so") {
  const Exceptions granted{waiver("AV-1", at("2026-11-01"))};
  const auto v = evaluate(builtInPolicy(), Segment::kLgwan, withoutAntiMalware(), granted, kNow);
  const auto* f = v.find("AV-1");
  CHECK(f->status == Status::kFail);
  CHECK(f->evidence.en.ends_with("; exception EXC-2026-014 expired on 2026-11-01"));
  CHECK(v.admission == Admission::kQuarantine);
}

TEST_CASE("EXC-1: an exception applies only within its scope") {
  auto facts = healthyFacts();
  facts.usb.value().controllers[0].authorized_default = 1;
  auto e = waiver("USB-1", at("2027-03-31"));
  e.scope.devices = {"jinji-pc-001"};
  CHECK(evaluate(builtInPolicy(), Segment::kLgwan, facts, {e}, kNow).find("USB-1")->status ==
        Status::kFail);
  e.scope.devices = {"3d1219c7c4c5404aaa1f6d2a48adfda4"};  // machine id
  CHECK(evaluate(builtInPolicy(), Segment::kLgwan, facts, {e}, kNow).find("USB-1")->status ==
        Status::kExcepted);
  e.scope.segment = Segment::kMynumber;
  CHECK(evaluate(builtInPolicy(), Segment::kLgwan, facts, {e}, kNow).find("USB-1")->status ==
        Status::kFail);
}

TEST_CASE("EXC-1: every finding excepted or passing makes a compliant, admitted PC") {
  const Exceptions granted{waiver("AV-1", at("2027-03-31")), waiver("AV-2", at("2027-03-31")),
                           waiver("AV-3", at("2027-03-31"))};
  const auto v = evaluate(builtInPolicy(), Segment::kLgwan, withoutAntiMalware(), granted, kNow);
  CHECK(v.compliant);
  CHECK(v.admission == Admission::kAdmit);
}
