#pragma once

// The Windows readers of the posture probe that need nothing but the registry and Win32.

#include "mamori/platform/windows_version.hpp"
#include "mamori/policy/facts.hpp"
#include "registry.hpp"

namespace mamori::platform::windows {

inline constexpr std::string_view kCurrentVersionKey =
    R"(SOFTWARE\Microsoft\Windows NT\CurrentVersion)";

/// The values windowsOsRelease() needs, from a key laid out like CurrentVersion.
WindowsVersionValues readWindowsVersionValues(const RegistryKey& key);

/// The OS from HKLM\...\CurrentVersion; unknown with the reason when it cannot be read.
policy::Observed<policy::OsRelease> readOsRelease();

/// Host name, MachineGuid, the firmware UUID (SMBIOS type 1) and the MACs of the physical
/// network adapters. Parts that cannot be read stay empty.
policy::DeviceIdentity readIdentity();

/// The login settings the MFA checks judge: smart-card and Windows Hello policy, excluded
/// credential providers, auto-logon (DefaultPassword is tested for, never read), the lockout
/// threshold (NetUserModalsGet) and the inactivity and screen-saver policies, the latter from
/// the console user's hive when a user is logged on.
policy::WindowsLogin readWindowsLogin();

/// The Windows Update Agent: when an update was last installed successfully (its history), and
/// the security updates its last scan found and that are not installed (searched offline).
/// Each part is unknown with WUA's error on its own. Lists no packages (a Windows PC's patch
/// level is its build, in the OS fact). The caller's thread must be in a COM apartment.
policy::Observed<policy::PackageInventory> readWindowsUpdate();

/// An OLE automation date (days since 1899-12-30, UTC) as a time; nullopt when out of range.
std::optional<policy::TimePoint> fromOleDate(double date);

}  // namespace mamori::platform::windows
