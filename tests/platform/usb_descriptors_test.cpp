// Raw USB descriptors: how an unauthorised (never configured) device is classified (USB-1, USB-4).

#include "mamori/platform/usb_descriptors.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

namespace mamori::platform {
namespace {

using policy::UsbKind;

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(static_cast<std::uint8_t>(v));
  return out;
}

// Kingston DataTraveler 3.0 (0951:1666): device descriptor, then its configuration set.
const std::string kDevice =
    bytes({18, 1, 0x10, 0x02, 0, 0, 0, 64, 0x51, 0x09, 0x66, 0x16, 0x10, 0x01, 1, 2, 3, 1});
std::string configuration(std::uint8_t interfaces, int total) {
  return bytes({9, 2, total & 0xff, total >> 8, interfaces, 1, 0, 0x80, 150});
}
std::string interface(int number, int cls, int sub, int proto, int alt = 0, int endpoints = 2) {
  return bytes({9, 4, number, alt, endpoints, cls, sub, proto, 0});
}
std::string endpoint(int address) { return bytes({7, 5, address, 2, 0x00, 0x02, 0}); }
std::string hidClass() { return bytes({9, 0x21, 0x11, 0x01, 0, 1, 0x22, 0x3f, 0}); }

TEST_CASE("USB-1: a mass-storage stick's descriptors give one unauthorised interface of class 08") {
  const auto raw = kDevice + configuration(1, 32) + interface(0, 0x08, 0x06, 0x50) +
                   endpoint(0x81) + endpoint(0x02);
  REQUIRE(raw.size() == 50);
  const auto interfaces = interfacesFromDescriptors(raw);
  REQUIRE(interfaces.size() == 1);
  CHECK(interfaces[0].number == 0);
  CHECK(interfaces[0].interface_class == 0x08);
  CHECK(interfaces[0].subclass == 0x06);
  CHECK(interfaces[0].protocol == 0x50);
  CHECK(interfaces[0].kind() == UsbKind::kStorage);
  CHECK_FALSE(interfaces[0].authorized);
}

TEST_CASE("USB-1: a stick posing as a keyboard too (HID + storage) shows both interfaces") {
  const auto raw = kDevice + configuration(2, 57) + interface(0, 0x03, 0x01, 0x01, 0, 1) +
                   hidClass() + endpoint(0x81) + interface(1, 0x08, 0x06, 0x50) + endpoint(0x82) +
                   endpoint(0x03);
  const auto interfaces = interfacesFromDescriptors(raw);
  REQUIRE(interfaces.size() == 2);
  CHECK(interfaces[0].number == 0);
  CHECK(interfaces[0].kind() == UsbKind::kHid);
  CHECK(interfaces[1].number == 1);
  CHECK(interfaces[1].kind() == UsbKind::kStorage);
  CHECK_FALSE(interfaces[0].authorized);
  CHECK_FALSE(interfaces[1].authorized);
}

TEST_CASE("USB-4: alternate settings of an interface are one interface, as its first setting") {
  const auto raw = kDevice + configuration(1, 41) + interface(0, 0x08, 0x06, 0x50, 0) +
                   interface(0, 0x08, 0x06, 0x62, 1) + endpoint(0x81) + endpoint(0x02);
  const auto interfaces = interfacesFromDescriptors(raw);
  REQUIRE(interfaces.size() == 1);
  CHECK(interfaces[0].protocol == 0x50);  // bulk-only; the UAS alternate (0x62) is not repeated
}

TEST_CASE("USB-4: a second configuration repeating interface numbers adds no interfaces") {
  const auto raw = kDevice + configuration(1, 32) + interface(0, 0x08, 0x06, 0x50) +
                   endpoint(0x81) + endpoint(0x02) + configuration(1, 18) +
                   interface(0, 0xff, 0x00, 0x00, 0, 0);
  const auto interfaces = interfacesFromDescriptors(raw);
  REQUIRE(interfaces.size() == 1);
  CHECK(interfaces[0].interface_class == 0x08);
}

TEST_CASE("USB-1: a zero-length descriptor ends the walk with what was read before it") {
  const auto raw = kDevice + configuration(2, 57) + interface(0, 0x08, 0x06, 0x50) + bytes({0, 4}) +
                   interface(1, 0x03, 0x01, 0x01);
  const auto interfaces = interfacesFromDescriptors(raw);
  REQUIRE(interfaces.size() == 1);
  CHECK(interfaces[0].interface_class == 0x08);
}

TEST_CASE("USB-1: a descriptor claiming more bytes than remain ends the walk safely") {
  // The interface descriptor says 9 bytes but the file stops after 5 (a short read).
  const auto truncated =
      kDevice + configuration(1, 32) + interface(0, 0x08, 0x06, 0x50).substr(0, 5);
  CHECK(interfacesFromDescriptors(truncated).empty());
  // A length byte of 255 just before the end of the data.
  const auto overflow = kDevice + configuration(1, 32) + bytes({255, 4, 0, 0, 2, 8, 6, 0x50, 0});
  CHECK(interfacesFromDescriptors(overflow).empty());
  // A length of 1 cannot even hold its own type byte.
  CHECK(interfacesFromDescriptors(kDevice + bytes({1, 4, 0})).empty());
}

TEST_CASE("USB-1: an interface descriptor shorter than 9 bytes is not read as an interface") {
  const auto raw = kDevice + configuration(1, 16) + bytes({7, 4, 0, 0, 2, 8, 6}) +
                   interface(1, 0x03, 0x01, 0x01, 0, 1);
  const auto interfaces = interfacesFromDescriptors(raw);
  REQUIRE(interfaces.size() == 1);
  CHECK(interfaces[0].number == 1);
}

TEST_CASE("USB-1: fewer bytes than a device descriptor declare no interfaces") {
  CHECK(interfacesFromDescriptors("").empty());
  CHECK(interfacesFromDescriptors(kDevice.substr(0, 17)).empty());
  CHECK(interfacesFromDescriptors(kDevice).empty());
  // Interface bytes inside the first 18 bytes are part of the device descriptor, not interfaces.
  CHECK(interfacesFromDescriptors(interface(0, 0x08, 0x06, 0x50) + bytes({0, 0, 0})).empty());
}

}  // namespace
}  // namespace mamori::platform
