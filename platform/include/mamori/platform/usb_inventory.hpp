#pragma once

// The USB devices of this PC as the OS shows them now (`mamori-agent usb list`); the posture
// probe reports the same inventory in every report (USB-4).

#include <filesystem>

#include "mamori/policy/facts.hpp"

namespace mamori::platform {

/// Controllers with their authorisation defaults, and every device with its interfaces, read
/// below `root` (`/` on a live system). Empty without USB; unknown when the OS cannot be read.
policy::Observed<policy::UsbInventory> readUsbInventory(const std::filesystem::path& root = "/");

}  // namespace mamori::platform
