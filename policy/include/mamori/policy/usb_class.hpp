#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mamori::policy {

/// What a USB interface is for, from its class code (usb.org base classes). A composite device
/// has several interfaces and so several kinds: a stick with a keyboard is storage *and* hid.
enum class UsbKind {
  kStorage,         ///< 08 mass storage
  kImaging,         ///< 06 still image: PTP / MTP, how phones and cameras move files
  kHid,             ///< 03 keyboards, mice
  kHub,             ///< 09
  kSmartCard,       ///< 0B smart-card readers (マイナンバーカード, 職員証)
  kAudio,           ///< 01
  kVideo,           ///< 0E
  kPrinter,         ///< 07
  kCommunications,  ///< 02 / 0A CDC: modems, USB network adapters
  kWireless,        ///< E0 Bluetooth and other radio controllers
  kVendorSpecific,  ///< FF: anything, including phones' own file-transfer protocols
  kOther,
};

UsbKind usbKindOfClass(std::uint8_t interface_class);

/// `storage`, `imaging`, `hid`, ...: the ids used in policy files and reports.
std::string_view usbKindId(UsbKind kind);
std::optional<UsbKind> parseUsbKind(std::string_view id);

}  // namespace mamori::policy
