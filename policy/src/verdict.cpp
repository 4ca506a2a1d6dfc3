#include "mamori/policy/verdict.hpp"

#include <algorithm>

namespace mamori::policy {

std::string_view statusId(Status status) {
  switch (status) {
    case Status::kPass: return "pass";
    case Status::kFail: return "fail";
    case Status::kUnknown: return "unknown";
    case Status::kExcepted: return "excepted";
  }
  return "?";
}

std::string_view admissionId(Admission admission) {
  switch (admission) {
    case Admission::kAdmit: return "admit";
    case Admission::kWarn: return "warn";
    case Admission::kQuarantine: return "quarantine";
  }
  return "?";
}

const Finding* Verdict::find(std::string_view id) const {
  const auto it = std::ranges::find(findings, id, &Finding::id);
  return it == findings.end() ? nullptr : &*it;
}

}  // namespace mamori::policy
