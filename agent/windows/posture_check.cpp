#include "posture_check.hpp"

#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/evaluate.hpp"
#include "policy_file.hpp"

namespace mamori::agent::windows {

std::expected<PostureCheck, Error> checkThisPc(
    const std::optional<std::filesystem::path>& policy_file, std::optional<policy::Segment> segment,
    std::optional<policy::Observed<policy::UsbAuditLog>> usb_audit) {
  auto loaded = loadPolicy(policy_file);
  if (!loaded) return std::unexpected(loaded.error());
  PostureCheck check{std::move(*loaded), {}, {}, {}};
  check.checked_at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  check.facts = platform::makePostureProbe({})->collect(check.checked_at);
  if (usb_audit) check.facts.usb_audit = std::move(*usb_audit);
  check.verdict = policy::evaluate(check.policy, segment.value_or(check.policy.default_segment),
                                   check.facts, check.policy.exceptions, check.checked_at);
  return check;
}

}  // namespace mamori::agent::windows
