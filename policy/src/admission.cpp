#include "mamori/policy/admission.hpp"

#include <algorithm>
#include <vector>

namespace mamori::policy {

Admission admissionFor(const Finding& f, Segment segment, const AdmissionRules& rules) {
  switch (f.status) {
    case Status::kPass: return f.warning ? Admission::kWarn : Admission::kAdmit;
    case Status::kExcepted: return Admission::kAdmit;
    case Status::kFail:
      return f.severity >= rules.quarantine_severity ? Admission::kQuarantine : Admission::kWarn;
    case Status::kUnknown:
      // マイナンバー利用事務系 is fail-closed whatever a policy file says.
      if (segment == Segment::kMynumber) return Admission::kQuarantine;
      switch (rules.on_unknown) {
        case UnknownAction::kQuarantine: return Admission::kQuarantine;
        case UnknownAction::kWarn: return Admission::kWarn;
        case UnknownAction::kAdmit: return Admission::kAdmit;
      }
  }
  return Admission::kQuarantine;
}

FailingSince updateFailingSince(const FailingSince& before, const Verdict& verdict, TimePoint at) {
  FailingSince after;
  for (const auto& f : verdict.findings) {
    if (f.status != Status::kFail && f.status != Status::kUnknown) continue;
    const auto it = before.find(f.id);
    after.emplace(f.id, it == before.end() ? at : it->second);
  }
  return after;
}

namespace {

std::string hoursText(std::chrono::hours h) { return std::to_string(h.count()); }

AdmissionDecision staleDecision(const AdmissionRules& rules, TimePoint reported_at) {
  AdmissionDecision d;
  d.stale = true;
  d.reason = {"最終報告 " + formatTimestamp(reported_at) + " から " +
                  hoursText(rules.report_freshness) + " 時間以上報告がないため隔離",
              "no report since " + formatTimestamp(reported_at) + " (more than " +
                  hoursText(rules.report_freshness) + " h): quarantined"};
  return d;
}

}  // namespace

AdmissionDecision admissionAt(const AdmissionDecision& judged, TimePoint reported_at,
                              const AdmissionRules& rules, TimePoint now) {
  if (now - reported_at > rules.report_freshness) return staleDecision(rules, reported_at);
  if (!judged.grace_ends || now < *judged.grace_ends) return judged;
  AdmissionDecision d;
  d.reason = {"猶予期間 (" + formatTimestamp(*judged.grace_ends) + " まで) が終了したため隔離",
              "quarantined: the grace period ended at " + formatTimestamp(*judged.grace_ends)};
  return d;
}

AdmissionDecision decideAdmission(const Verdict& verdict, const AdmissionRules& rules,
                                  const FailingSince& failing_since, TimePoint reported_at,
                                  TimePoint now) {
  if (now - reported_at > rules.report_freshness) return staleDecision(rules, reported_at);

  AdmissionDecision d;
  d.admission = Admission::kAdmit;
  std::vector<std::string> quarantining, in_grace;
  for (const auto& f : verdict.findings) {
    Admission a = admissionFor(f, verdict.segment, rules);
    if (a == Admission::kQuarantine) {
      const auto grace = rules.grace.find(f.id);
      const auto since = failing_since.find(f.id);
      const TimePoint start = since == failing_since.end() ? reported_at : since->second;
      if (grace != rules.grace.end() && now < start + grace->second) {
        a = Admission::kWarn;
        d.grace_ends =
            std::min(d.grace_ends.value_or(start + grace->second), start + grace->second);
        in_grace.push_back(f.id);
      } else {
        quarantining.push_back(f.id);
      }
    }
    d.admission = std::max(d.admission, a);
  }
  const auto list = [](const std::vector<std::string>& ids) {
    std::string s;
    for (const auto& id : ids) s += (s.empty() ? "" : ", ") + id;
    return s;
  };
  if (!quarantining.empty()) {
    d.reason = {"不適合 (" + list(quarantining) + ") のため隔離",
                "quarantined for " + list(quarantining)};
  } else if (!in_grace.empty()) {
    d.reason = {list(in_grace) + " は猶予期間中 (" + formatTimestamp(*d.grace_ends) + " まで)",
                list(in_grace) + " in grace until " + formatTimestamp(*d.grace_ends)};
  } else if (d.admission == Admission::kWarn) {
    d.reason = {"接続可 (警告あり)", "admitted with warnings"};
  } else {
    d.reason = {"適合", "compliant"};
  }
  return d;
}

}  // namespace mamori::policy
