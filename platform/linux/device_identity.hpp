#pragma once

// The hardware identity a device is pinned to at enrollment (第86条): the firmware's system UUID
// and the permanent MAC addresses of its physical network interfaces.

#include <string>
#include <vector>

#include "root_fs.hpp"

namespace mamori::platform::linux {

/// `/sys/class/dmi/id/product_uuid`, lower case. Empty when unreadable (the file is root's
/// alone), malformed, or one of the values SMBIOS uses for "no UUID" (all 00 or all FF bytes).
std::string readSmbiosUuid(const RootFs& fs);

/// The addresses (`aa:bb:cc:dd:ee:ff`, lower case, sorted, unique) of the physical network
/// interfaces: those under /sys/class/net with a `device` link (lo, veth, bridges, bonds, tun
/// and docker have none) and of type 1 (Ethernet and Wi-Fi). A bonding slave's own address is
/// its `bonding_slave/perm_hwaddr` (`address` is the bond's). Left out: 00:00:00:00:00:00 and
/// addresses the kernel made up at random (addr_assign_type 1), which change at each boot.
std::vector<std::string> readPhysicalMacs(const RootFs& fs);

}  // namespace mamori::platform::linux
