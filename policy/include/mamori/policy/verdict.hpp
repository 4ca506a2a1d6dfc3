#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/policy/requirement.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/text.hpp"

namespace mamori::policy {

enum class Status {
  kPass,
  kFail,
  kUnknown,   ///< the facts needed were not observed; evidence says why
  kExcepted,  ///< failed, but an approved, unexpired exception (例外措置) waives it
};

/// What the network does with the terminal.
enum class Admission { kAdmit, kWarn, kQuarantine };

std::string_view statusId(Status status);
std::string_view admissionId(Admission admission);

/// The result for one requirement id.
struct Finding {
  std::string id;  ///< `AV-2`
  Status status = Status::kUnknown;
  Severity severity = Severity::kMedium;
  Text evidence;     ///< what was observed, with figures: "daily.cld built 9 days ago"
  Text remediation;  ///< what to do about it; empty when passing
  /// Passing now, but about to fail (support ends in 30 days): admission warns.
  bool warning = false;
  std::string exception_id;  ///< the exception that waived a failure
};

struct Verdict {
  Segment segment = Segment::kLgwan;
  std::int64_t policy_version = 0;
  /// Every finding passes or is excepted.
  bool compliant = false;
  Admission admission = Admission::kQuarantine;
  std::vector<Finding> findings;

  /// nullptr when the verdict has no finding with that id.
  [[nodiscard]] const Finding* find(std::string_view id) const;
};

}  // namespace mamori::policy
