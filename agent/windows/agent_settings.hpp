#pragma once

// What the MSI leaves for the Windows service (installer/windows): HKLM\SOFTWARE\mamori\Agent,
// written from the msiexec properties COLLECTOR_URL, COLLECTOR_CA, SEGMENT and ENROLL_TOKEN.

#include <windows.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "mamori/policy/segment.hpp"

namespace mamori::agent::windows {

inline constexpr std::string_view kSettingsKey = R"(SOFTWARE\mamori\Agent)";
inline constexpr std::string_view kEnrollmentKey = R"(SOFTWARE\mamori\Agent\Enrollment)";

struct AgentSettings {
  std::string collector_url;  ///< CollectorUrl; empty: local-only
  /// CollectorCa: the PEM file of the CA that vouches for the collector, read at enrollment.
  std::optional<std::filesystem::path> collector_ca;
  std::optional<policy::Segment> segment;            ///< Segment; nullopt: the policy's default
  std::optional<std::filesystem::path> policy_file;  ///< PolicyFile; nullopt: built-in policy
  std::chrono::seconds interval{3600};               ///< IntervalSeconds (60 s to 1 day)
};

/// The settings under HKLM (`key` below it, for tests); defaults for what is absent. An error
/// names the value that is wrong (a Segment no policy knows, say).
std::expected<AgentSettings, std::string> readAgentSettings(std::string_view key = kSettingsKey);

/// %ProgramData%\mamori: the service's state (last check, the enrollment token in custody).
std::filesystem::path stateDirectory();

/// Takes the enrollment token out of the registry, where HKLM\SOFTWARE lets every local user
/// read it, into `state_dir`\enroll-token, which only SYSTEM and Administrators may open; then
/// deletes the registry value. Returns whether a token is now in custody (false: none given).
/// The token itself is never logged.
std::expected<bool, std::string> takeEnrollmentToken(const std::filesystem::path& state_dir,
                                                     std::string_view key = kEnrollmentKey);

}  // namespace mamori::agent::windows
