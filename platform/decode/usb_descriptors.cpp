#include "mamori/platform/usb_descriptors.hpp"

#include <algorithm>

namespace mamori::platform {

std::vector<policy::UsbInterface> interfacesFromDescriptors(std::string_view bytes) {
  constexpr std::size_t kDeviceDescriptorSize = 18;
  constexpr std::uint8_t kInterfaceType = 4;
  std::vector<policy::UsbInterface> interfaces;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };

  for (std::size_t pos = kDeviceDescriptorSize; pos + 2 <= bytes.size();) {
    const std::size_t length = byte(pos);
    if (length < 2 || pos + length > bytes.size()) break;
    if (byte(pos + 1) == kInterfaceType && length >= 9) {
      policy::UsbInterface i;
      i.number = byte(pos + 2);
      i.interface_class = byte(pos + 5);
      i.subclass = byte(pos + 6);
      i.protocol = byte(pos + 7);
      i.authorized = false;
      // Alternate settings repeat an interface number; the first setting describes it.
      if (std::ranges::none_of(interfaces, [&](const auto& x) { return x.number == i.number; })) {
        interfaces.push_back(i);
      }
    }
    pos += length;
  }
  return interfaces;
}

}  // namespace mamori::platform
