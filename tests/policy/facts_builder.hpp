#pragma once

// Builders for posture facts: a healthy Debian 12 PC that each test then breaks in one way.

#include <string_view>

#include "mamori/policy/facts.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::testing {

/// `2026-11-22T09:00:00Z` as a TimePoint (aborts the test on a typo).
policy::TimePoint at(std::string_view iso8601);

/// The time every evaluator test judges at: 2026-11-22T09:00:00Z.
inline constexpr policy::TimePoint kNow{std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} +
                                        std::chrono::hours{9}};

/// ClamAV running with on-access scanning, signatures built at `signatures_built`.
policy::AntiMalwareProduct clamav(policy::TimePoint signatures_built);

/// A USB device with one interface of `interface_class`, authorised.
policy::UsbDevice usbDevice(std::string port, std::uint16_t vid, std::uint16_t pid,
                            std::string serial, std::uint8_t interface_class);

/// An `auth required <module> <arguments>` line of /etc/pam.d/login.
policy::pam::Handler pamRequired(std::string module, std::vector<std::string> arguments = {});

/// A PC that passes every check of the built-in policy at kNow: Debian 12, fresh ClamAV, USB
/// controllers locked, packages updated three days ago, login by password and FIDO2 key with
/// pam_faillock, GNOME locking after 5 minutes.
policy::PostureFacts healthyFacts();

/// The finding `id` of judging `facts` at kNow (no extra exceptions).
policy::Finding findingOf(const policy::PostureFacts& facts, std::string_view id,
                          const policy::Policy& policy = policy::builtInPolicy(),
                          policy::Segment segment = policy::Segment::kLgwan);

/// The built-in policy with a city's registered medium added to every segment's allowlist.
policy::Policy policyWithRegisteredStick();

}  // namespace mamori::testing
