#include "mamori/policy/evaluate.hpp"

#include <algorithm>
#include <array>

#include "checks.hpp"
#include "mamori/policy/admission.hpp"

namespace mamori::policy {
namespace {

using Check = Finding (*)(const checks::Context&);

// In report order: removable media, anti-malware, patches, login.
constexpr std::array<Check, 15> kChecks{
    checks::usbStorageBlocked,    checks::usbOnlyRegisteredMedia, checks::usbDecisionsRecorded,
    checks::usbInventoryReported, checks::antiMalwareActive,      checks::signaturesFresh,
    checks::engineCurrent,        checks::fullScanRecent,         checks::securityUpdatesApplied,
    checks::osSupported,          checks::loginFactors,           checks::loginFactorKinds,
    checks::noAutoLogin,          checks::loginAttemptsLimited,   checks::screenLocks,
};

bool inScope(const Exception& e, Segment segment, const DeviceIdentity& device) {
  if (e.scope.segment && *e.scope.segment != segment) return false;
  if (e.scope.devices.empty()) return true;
  return std::ranges::any_of(e.scope.devices, [&](const std::string& d) {
    return d == device.hostname || (!device.machine_id.empty() && d == device.machine_id);
  });
}

// EXC-1 (第129–131条): an approved exception waives a failing or unverifiable requirement until
// it expires; after that the requirement applies again, and the finding says so.
void applyExceptions(Finding& finding, const Exceptions& exceptions, Segment segment,
                     const DeviceIdentity& device, TimePoint now) {
  if (finding.status != Status::kFail && finding.status != Status::kUnknown) return;
  const Exception* expired = nullptr;
  for (const auto& e : exceptions) {
    if (e.requirement != finding.id || !inScope(e, segment, device)) continue;
    if (now >= e.expires) {
      expired = &e;
      continue;
    }
    finding.status = Status::kExcepted;
    finding.exception_id = e.id;
    checks::append(finding.evidence, {"例外措置 " + e.id + "（承認: " + e.approver + "、期限 " +
                                          formatDate(e.expires) + "）: " + e.reason,
                                      "exception " + e.id + " approved by " + e.approver +
                                          " until " + formatDate(e.expires) + ": " + e.reason});
    return;
  }
  if (expired) {
    checks::append(
        finding.evidence,
        {"例外措置 " + expired->id + " は " + formatDate(expired->expires) + " に期限切れ",
         "exception " + expired->id + " expired on " + formatDate(expired->expires)});
  }
}

}  // namespace

Verdict evaluate(const Policy& policy, Segment segment, const PostureFacts& facts,
                 const Exceptions& exceptions, TimePoint now) {
  const Profile& profile = policy.profile(segment);
  const checks::Context context{policy, profile, segment, facts, now};

  Verdict verdict;
  verdict.segment = segment;
  verdict.policy_version = policy.version;
  verdict.compliant = true;
  verdict.admission = Admission::kAdmit;
  for (const Check check : kChecks) {
    Finding finding = check(context);
    applyExceptions(finding, exceptions, segment, facts.device, now);
    verdict.compliant &= finding.status == Status::kPass || finding.status == Status::kExcepted;
    verdict.admission =
        std::max(verdict.admission, admissionFor(finding, segment, profile.admission));
    verdict.findings.push_back(std::move(finding));
  }
  return verdict;
}

}  // namespace mamori::policy
