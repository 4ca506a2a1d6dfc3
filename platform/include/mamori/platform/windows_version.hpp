#pragma once

// The Windows version as the registry states it, turned into the OS fact the end-of-support
// calendar and the build baseline are checked against.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "mamori/policy/facts.hpp"

namespace mamori::platform {

/// Values of HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion.
struct WindowsVersionValues {
  std::optional<std::uint32_t> major;  ///< CurrentMajorVersionNumber (REG_DWORD, Windows 10+)
  std::optional<std::uint32_t> minor;  ///< CurrentMinorVersionNumber
  std::string current_version;         ///< CurrentVersion: `6.3` (the only one before 10)
  std::string build;                   ///< CurrentBuildNumber: `19045`
  std::optional<std::uint32_t> ubr;    ///< UBR: the cumulative update's revision, `6456`
  std::string display_version;         ///< DisplayVersion: `22H2` (20H2 and later)
  std::string release_id;              ///< ReleaseId: `2009` (before DisplayVersion existed)
  std::string product_name;            ///< ProductName: `Windows 10 Pro`, even on Windows 11
  std::string edition_id;              ///< EditionID: `Professional`, `Enterprise`
};

/// id `windows`, version_id `10.0.19045`, build `10.0.19045.6456`, the edition, the release as
/// codename and a readable name (`Windows 11 Pro 24H2`); an error when no build number is there.
std::expected<policy::OsRelease, std::string> windowsOsRelease(const WindowsVersionValues& v);

}  // namespace mamori::platform
