#pragma once

// One posture check of this PC: probe, then judge with the policy. Shared by `check` and the
// service loop.

#include <expected>
#include <filesystem>
#include <optional>

#include "mamori/error.hpp"
#include "mamori/policy/facts.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::agent::windows {

struct PostureCheck {
  policy::Policy policy;
  policy::PostureFacts facts;
  policy::Verdict verdict;
  policy::TimePoint checked_at;
};

/// With the policy file, or the built-in policy when none is given; the error is the policy
/// file's (file, field and reason). `usb_audit`: the agent's own audit log (USB-3), when it
/// keeps one.
std::expected<PostureCheck, Error> checkThisPc(
    const std::optional<std::filesystem::path>& policy_file, std::optional<policy::Segment> segment,
    std::optional<policy::Observed<policy::UsbAuditLog>> usb_audit = std::nullopt);

}  // namespace mamori::agent::windows
