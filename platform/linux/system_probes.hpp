#pragma once

#include "mamori/policy/facts.hpp"
#include "root_fs.hpp"

namespace mamori::platform::linux {

/// Installed packages from the dpkg database and the time of the last change from its logs.
policy::Observed<policy::PackageInventory> readPackageInventory(const RootFs& fs);

/// `/etc/os-release` (or `/usr/lib/os-release`).
policy::Observed<policy::OsRelease> readOsRelease(const RootFs& fs);

/// Host name and machine id.
policy::DeviceIdentity readIdentity(const RootFs& fs);

}  // namespace mamori::platform::linux
