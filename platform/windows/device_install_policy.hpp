#pragma once

// Windows' Device Installation Restrictions, the registry side of Group Policy's "Prevent
// installation of devices that match any of these device IDs" and "Allow installation of devices
// that match any of these device instance IDs", under
// HKLM\SOFTWARE\Policies\Microsoft\Windows\DeviceInstall\Restrictions. mamori owns these values:
// a city that also sets them by GPO must leave them to mamori (README, Windows).

#include <expected>
#include <string>

#include "mamori/platform/windows_usb.hpp"

namespace mamori::platform::windows {

inline constexpr std::string_view kDeviceInstallRestrictionsKey =
    R"(SOFTWARE\Policies\Microsoft\Windows\DeviceInstall\Restrictions)";

/// The lists in force; empty lists when the key or a list is absent or switched off.
std::expected<DeviceInstallRestrictions, std::string> readDeviceInstallRestrictions();

/// Makes `restrictions` the lists in force. Never retroactive (DenyDeviceIDsRetroactive = 0:
/// installed devices, the system disk among them, are left alone); allow before deny
/// (AllowDenyLayered = 1, Windows 10 2004 and later) so a registered medium is installed even
/// though its class is denied. Each list is rewritten in place and only then shortened, so no
/// moment passes with the deny list empty.
std::expected<void, std::string> writeDeviceInstallRestrictions(
    const DeviceInstallRestrictions& restrictions);

}  // namespace mamori::platform::windows
