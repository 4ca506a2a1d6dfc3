// The firmware UUID from a raw SMBIOS table (第86条: the device identity pinned at enrollment).

#include "mamori/platform/smbios.hpp"

#include <doctest/doctest.h>

#include <array>
#include <span>
#include <vector>

namespace mamori::platform {
namespace {

// A BIOS structure (type 0) with one string, a System Information structure (type 1) carrying
// `uuid`, then end of table (type 127).
std::vector<std::uint8_t> table(const std::array<std::uint8_t, 16>& uuid) {
  std::vector<std::uint8_t> t = {0, 4, 0, 0, 'A', 'M', 'I', 0, 0};
  std::vector<std::uint8_t> system = {1, 27, 1, 0, 1, 2, 3, 4};
  system.insert(system.end(), uuid.begin(), uuid.end());
  system.insert(system.end(), {6, 0, 0, 0, 0, 0, 0, 0});  // wake-up type, SKU, family: 27 bytes
  system.resize(27);
  t.insert(t.end(), system.begin(), system.end());
  t.insert(t.end(), {'Q', 'E', 'M', 'U', 0, 0});
  t.insert(t.end(), {127, 4, 2, 0, 0, 0});
  return t;
}

constexpr std::array<std::uint8_t, 16> kUuid = {0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
                                                0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

TEST_CASE("identity: SMBIOS 2.6+ stores the first three UUID fields little-endian") {
  CHECK(smbiosSystemUuid(table(kUuid), 3, 4) == "12345678-9abc-def0-0123-456789abcdef");
}

TEST_CASE("identity: before SMBIOS 2.6 the UUID bytes are in order") {
  CHECK(smbiosSystemUuid(table(kUuid), 2, 5) == "78563412-bc9a-f0de-0123-456789abcdef");
}

TEST_CASE("identity: an all-zero or all-ones UUID means not set") {
  std::array<std::uint8_t, 16> zeros{}, ones{};
  ones.fill(0xFF);
  CHECK_FALSE(smbiosSystemUuid(table(zeros), 3, 0));
  CHECK_FALSE(smbiosSystemUuid(table(ones), 3, 0));
}

TEST_CASE("identity: a truncated table or one without type 1 gives no UUID") {
  auto t = table(kUuid);
  CHECK_FALSE(smbiosSystemUuid(std::span(t).first(20), 3, 0));
  const std::vector<std::uint8_t> no_system = {0, 4, 0, 0, 0, 0, 127, 4, 2, 0, 0, 0};
  CHECK_FALSE(smbiosSystemUuid(no_system, 3, 0));
  CHECK_FALSE(smbiosSystemUuid({}, 3, 0));
}

}  // namespace
}  // namespace mamori::platform
