#pragma once

// The firmware's system UUID from the raw SMBIOS table (Windows GetSystemFirmwareTable 'RSMB',
// Linux /sys/firmware/dmi/tables/DMI).

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace mamori::platform {

/// The UUID of the System Information structure (type 1), lower case, as Linux prints
/// product_uuid: the first three fields little-endian from SMBIOS 2.6 on (`major`.`minor` is the
/// table's version). nullopt when there is no type 1 structure or its UUID is all zeros or all
/// ones (SMBIOS: "not present" / "not set").
std::optional<std::string> smbiosSystemUuid(std::span<const std::uint8_t> table, int major,
                                            int minor);

}  // namespace mamori::platform
