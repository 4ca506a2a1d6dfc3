#pragma once

// Admission over time, for the collector: the verdict of one report says what the PC's state
// deserves; the network also needs to know whether that report is recent (第85条6) and whether a
// fresh failure is still inside the grace period the policy grants for it.

#include <map>
#include <optional>
#include <string>

#include "mamori/policy/policy.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::policy {

/// What one finding does to admission under the segment's rules: a failure at or above the
/// quarantine severity quarantines, a lighter one warns; an unknown one does what `on_unknown`
/// says (always quarantine in the mynumber segment).
Admission admissionFor(const Finding& finding, Segment segment, const AdmissionRules& rules);

/// Requirement id -> since when it has been failing without a break.
using FailingSince = std::map<std::string, TimePoint, std::less<>>;

/// The failure clocks after a new verdict: requirements still failing keep their start, new
/// failures start at `at`, passing (or excepted) ones are dropped.
FailingSince updateFailingSince(const FailingSince& before, const Verdict& verdict, TimePoint at);

struct AdmissionDecision {
  Admission admission = Admission::kQuarantine;
  bool stale = false;  ///< no report within the freshness window: quarantined for that alone
  /// The earliest end of a grace period that is keeping the PC from quarantine, if any.
  std::optional<TimePoint> grace_ends;
  Text reason;  ///< one line for an admin or a staff member
};

/// The admission of a device whose latest report (judged as `verdict`, received at
/// `reported_at`) is `failing_since` old in its failures, at `now`:
/// - stale after `rules.report_freshness`: quarantine;
/// - a finding that would quarantine but whose requirement has a grace period not yet used up
///   only warns until `failing_since + grace`.
AdmissionDecision decideAdmission(const Verdict& verdict, const AdmissionRules& rules,
                                  const FailingSince& failing_since, TimePoint reported_at,
                                  TimePoint now);

/// A decision made when a report was judged (`judged`, for a report collected at
/// `reported_at`), seen again at `now`: quarantined once the report is older than the freshness
/// window (stale), or once the grace period that kept it from quarantine has ended.
AdmissionDecision admissionAt(const AdmissionDecision& judged, TimePoint reported_at,
                              const AdmissionRules& rules, TimePoint now);

}  // namespace mamori::policy
