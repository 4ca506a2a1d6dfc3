#include "mamori/policy/usb_class.hpp"

#include <array>
#include <utility>

namespace mamori::policy {
namespace {

constexpr std::array<std::pair<UsbKind, std::string_view>, 12> kIds{{
    {UsbKind::kStorage, "storage"},
    {UsbKind::kImaging, "imaging"},
    {UsbKind::kHid, "hid"},
    {UsbKind::kHub, "hub"},
    {UsbKind::kSmartCard, "smart_card"},
    {UsbKind::kAudio, "audio"},
    {UsbKind::kVideo, "video"},
    {UsbKind::kPrinter, "printer"},
    {UsbKind::kCommunications, "communications"},
    {UsbKind::kWireless, "wireless"},
    {UsbKind::kVendorSpecific, "vendor_specific"},
    {UsbKind::kOther, "other"},
}};

}  // namespace

UsbKind usbKindOfClass(std::uint8_t interface_class) {
  switch (interface_class) {
    case 0x01: return UsbKind::kAudio;
    case 0x02:
    case 0x0A: return UsbKind::kCommunications;
    case 0x03: return UsbKind::kHid;
    case 0x06: return UsbKind::kImaging;
    case 0x07: return UsbKind::kPrinter;
    case 0x08: return UsbKind::kStorage;
    case 0x09: return UsbKind::kHub;
    case 0x0B: return UsbKind::kSmartCard;
    case 0x0E: return UsbKind::kVideo;
    case 0xE0: return UsbKind::kWireless;
    case 0xFF: return UsbKind::kVendorSpecific;
    default: return UsbKind::kOther;
  }
}

std::string_view usbKindId(UsbKind kind) { return kIds[static_cast<std::size_t>(kind)].second; }

std::optional<UsbKind> parseUsbKind(std::string_view id) {
  for (const auto& [kind, name] : kIds) {
    if (name == id) return kind;
  }
  return std::nullopt;
}

}  // namespace mamori::policy
