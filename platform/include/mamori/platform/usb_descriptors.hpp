#pragma once

#include <string_view>
#include <vector>

#include "mamori/policy/facts.hpp"

namespace mamori::platform {

/// The interfaces declared by a device's raw `descriptors` file in sysfs: the 18-byte device
/// descriptor, then configuration descriptors walked by `bLength`; type 4 is an interface.
/// This is how an unauthorised device is classified: it is never configured, so sysfs shows no
/// interface directories. Interfaces are marked unauthorised. Malformed data ends the walk.
std::vector<policy::UsbInterface> interfacesFromDescriptors(std::string_view bytes);

}  // namespace mamori::platform
