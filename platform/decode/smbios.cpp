#include "mamori/platform/smbios.hpp"

#include <algorithm>
#include <cstdio>

namespace mamori::platform {
namespace {

constexpr std::uint8_t kSystemInformation = 1;
constexpr std::uint8_t kEndOfTable = 127;
constexpr std::size_t kUuidOffset = 8;
constexpr std::size_t kUuidSize = 16;

}  // namespace

std::optional<std::string> smbiosSystemUuid(std::span<const std::uint8_t> table, int major,
                                            int minor) {
  std::size_t at = 0;
  while (at + 4 <= table.size()) {
    const std::uint8_t type = table[at];
    const std::uint8_t length = table[at + 1];
    if (length < 4 || at + length > table.size()) return std::nullopt;  // truncated table
    if (type == kSystemInformation && length >= kUuidOffset + kUuidSize) {
      const auto uuid = table.subspan(at + kUuidOffset, kUuidSize);
      if (std::ranges::all_of(uuid, [](std::uint8_t b) { return b == 0x00; }) ||
          std::ranges::all_of(uuid, [](std::uint8_t b) { return b == 0xFF; })) {
        return std::nullopt;
      }
      // Since 2.6 time_low, time_mid and time_hi_and_version are stored little-endian.
      const bool swapped = major > 2 || (major == 2 && minor >= 6);
      static constexpr std::size_t kLittleEndian[kUuidSize] = {3, 2, 1,  0,  5,  4,  7,  6,
                                                               8, 9, 10, 11, 12, 13, 14, 15};
      std::string out;
      for (std::size_t i = 0; i < kUuidSize; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", uuid[swapped ? kLittleEndian[i] : i]);
        out += hex;
      }
      return out;
    }
    if (type == kEndOfTable) return std::nullopt;
    // The formatted area is followed by its strings, ended by two NUL bytes.
    std::size_t next = at + length;
    while (next + 1 < table.size() && !(table[next] == 0 && table[next + 1] == 0)) ++next;
    at = next + 2;
  }
  return std::nullopt;
}

}  // namespace mamori::platform
