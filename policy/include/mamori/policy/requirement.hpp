#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "mamori/policy/text.hpp"

namespace mamori::policy {

/// How much a failed requirement matters; the segment's admission rules turn it into a decision.
enum class Severity { kLow, kMedium, kHigh, kCritical };

std::string_view severityId(Severity severity);
std::optional<Severity> parseSeverity(std::string_view id);

/// One row of design/REQUIREMENTS.md: an article of the municipal policy an endpoint can check.
struct Requirement {
  std::string_view id;        ///< `AV-2`
  std::string_view articles;  ///< `第105条(5), 第106条(2)`
  Text title;
  Severity severity;  ///< what a failure weighs by default
};

/// Every requirement id the policy language knows (exceptions may name any of them).
std::span<const Requirement> allRequirements();

/// nullptr when `id` is not a requirement id.
const Requirement* findRequirement(std::string_view id);

}  // namespace mamori::policy
