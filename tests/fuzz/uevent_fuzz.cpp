// libFuzzer target for the kernel uevent decoder the USB enforcer reads netlink messages with.
// Beyond not crashing: whatever decodes must encode back into a message that decodes the same,
// and the USB device found in a path must be a USB device name in that path.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mamori/platform/uevent.hpp"

namespace {

std::string encode(const mamori::platform::Uevent& e) {
  std::string m = e.action + "@" + e.devpath + '\0';
  const auto add = [&](std::string_view key, const std::string& value) {
    if (!value.empty()) m += std::string(key) + "=" + value + '\0';
  };
  add("ACTION", e.action);
  add("DEVPATH", e.devpath);
  add("SUBSYSTEM", e.subsystem);
  add("DEVTYPE", e.devtype);
  add("DEVNAME", e.devname);
  add("SEQNUM", std::to_string(e.seqnum));
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace platform = mamori::platform;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto event = platform::parseUevent(input);
  if (!event) return 0;
  const auto again = platform::parseUevent(encode(*event));
  if (!again || again->action != event->action || again->devpath != event->devpath ||
      again->subsystem != event->subsystem || again->devtype != event->devtype ||
      again->devname != event->devname || again->seqnum != event->seqnum) {
    __builtin_trap();
  }
  if (const auto usb = platform::usbDeviceOfDevpath(event->devpath)) {
    if (!platform::isUsbDeviceName(*usb) || event->devpath.find(*usb) == std::string::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
