#pragma once

// The individual checks behind evaluate(): each judges one requirement id and returns its
// finding, with evidence that cites figures and remediation a staff member can act on.

#include <string>

#include "mamori/policy/facts.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::policy::checks {

struct Context {
  const Policy& policy;
  const Profile& profile;
  Segment segment;
  const PostureFacts& facts;
  TimePoint now;

  /// The facts come from a Windows PC (os-release id `windows`).
  [[nodiscard]] bool windows() const { return facts.os.known() && facts.os->id == "windows"; }
};

Finding usbStorageBlocked(const Context& c);       // USB-1
Finding usbOnlyRegisteredMedia(const Context& c);  // USB-2
Finding usbDecisionsRecorded(const Context& c);    // USB-3
Finding usbInventoryReported(const Context& c);    // USB-4
Finding antiMalwareActive(const Context& c);       // AV-1
Finding signaturesFresh(const Context& c);         // AV-2
Finding engineCurrent(const Context& c);           // AV-3
Finding fullScanRecent(const Context& c);          // AV-5
Finding securityUpdatesApplied(const Context& c);  // PATCH-1
Finding osSupported(const Context& c);             // PATCH-2
Finding loginFactors(const Context& c);            // MFA-1
Finding loginFactorKinds(const Context& c);        // MFA-2
Finding noAutoLogin(const Context& c);             // MFA-3
Finding loginAttemptsLimited(const Context& c);    // MFA-4
Finding screenLocks(const Context& c);             // MFA-5

// ---- building findings -----------------------------------------------------------------------

Finding pass(std::string_view id, Text evidence);
Finding fail(std::string_view id, Text evidence, Text remediation);
Finding unknown(std::string_view id, Text evidence, Text remediation);

/// Joins lines of evidence: `a; b`.
void append(Text& into, const Text& more);

/// "3 days" / "3日", "5 hours" / "5時間": for ages and limits.
Text daysText(long long days);
Text hoursText(long long hours);
/// "300 s (5 min)" / "300秒（5分）"; minutes only when whole.
Text secondsText(long long seconds);
/// "9 days (216 h)" for an age in hours, so both scales are visible.
Text ageText(std::chrono::hours age);

/// The text of an unknown fact's reason (reasons come from probes, in English).
Text reasonText(const std::string& reason);

}  // namespace mamori::policy::checks
