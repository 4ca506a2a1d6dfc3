// What the enforcer does with each USB device (USB-1, USB-2): the pure decision it applies to
// the kernel and the USB checks judge against.

#include "mamori/policy/usb_decision.hpp"

#include <doctest/doctest.h>

#include <array>
#include <set>
#include <string>

#include "facts_builder.hpp"

using namespace mamori::policy;
using mamori::testing::usbDevice;

namespace {

constexpr std::uint16_t kSanDisk = 0x0781;
constexpr std::uint16_t kUltra = 0x5581;
const std::string kSerial = "4C530001230510117172";

UsbRules lgwanRules() { return builtInPolicy().profile(Segment::kLgwan).usb; }
UsbRules mynumberRules() { return builtInPolicy().profile(Segment::kMynumber).usb; }

UsbRules withRegisteredStick(UsbRules rules, bool read_only = false) {
  rules.allowlist.push_back({kSanDisk, kUltra, kSerial, "総務課 USB-012", read_only});
  return rules;
}

UsbDevice stick(std::string serial = kSerial) {
  return usbDevice("1-2", kSanDisk, kUltra, std::move(serial), 0x08);
}

// A stick with a built-in keyboard (USBGuard's classic BadUSB case): HID 0, storage 1.
UsbDevice stickWithKeyboard() {
  auto d = usbDevice("1-3", 0x1234, 0x5678, "BADUSB01", 0x03);
  d.interfaces.push_back({1, 0x08, 0x06, 0x50, true});
  return d;
}

}  // namespace

TEST_CASE("USB-1: a keyboard is authorised with all its interfaces") {
  const auto d = decideUsb(mynumberRules(), usbDevice("1-1", 0x046d, 0xc31c, "", 0x03));
  CHECK(d.rule == UsbRule::kAllowedKind);
  CHECK(d.authorize_device);
  REQUIRE(d.interfaces.size() == 1);
  CHECK(d.interfaces[0] == UsbInterfaceDecision{0, UsbKind::kHid, false, true});
  CHECK_FALSE(d.read_only);
  CHECK_FALSE(d.medium.has_value());
}

TEST_CASE("USB-1: an unregistered stick is not authorised at all") {
  const auto d = decideUsb(lgwanRules(), stick());
  CHECK(d.rule == UsbRule::kBlockedKind);
  CHECK_FALSE(d.authorize_device);
  CHECK_FALSE(d.interfaceAuthorized(0));
  CHECK(d.storageLike());
}

TEST_CASE("USB-2: a registered medium is authorised and names its ledger entry") {
  const auto d = decideUsb(withRegisteredStick(lgwanRules()), stick());
  CHECK(d.rule == UsbRule::kRegisteredMedium);
  CHECK(d.authorize_device);
  CHECK(d.interfaceAuthorized(0));
  REQUIRE(d.medium.has_value());
  CHECK(d.medium->label == "総務課 USB-012");
  CHECK_FALSE(d.read_only);
}

TEST_CASE("USB-2: the ledger matches vendor, product and serial exactly") {
  const auto rules = withRegisteredStick(lgwanRules());
  CHECK(decideUsb(rules, stick("4C530001230510117999")).rule == UsbRule::kBlockedKind);
  CHECK(decideUsb(rules, stick("4c530001230510117172")).rule == UsbRule::kBlockedKind);
  // No serial: it could be any stick of the model, so it never matches.
  auto other = stick("");
  CHECK(decideUsb(rules, other).rule == UsbRule::kBlockedKind);
  auto clone = stick();
  clone.product_id = 0x5583;  // same vendor and serial, another product
  CHECK(decideUsb(rules, clone).rule == UsbRule::kBlockedKind);
  clone = stick();
  clone.vendor_id = 0x0951;
  CHECK(decideUsb(rules, clone).rule == UsbRule::kBlockedKind);
}

TEST_CASE("USB-2: a medium registered read-only is made read-only, only while authorised") {
  auto rules = withRegisteredStick(mynumberRules(), true);
  auto d = decideUsb(rules, stick());
  CHECK(d.rule == UsbRule::kRegisteredMedium);
  CHECK(d.read_only);

  rules.mode = UsbMode::kBlockAll;
  d = decideUsb(rules, stick());
  CHECK_FALSE(d.authorize_device);
  CHECK_FALSE(d.read_only);  // nothing to protect: it never gets a block device

  // The entry decides, even when the segment makes media read-only by default: the codec
  // resolved the default into each entry, and an entry may say otherwise.
  d = decideUsb(withRegisteredStick(mynumberRules(), false), stick());
  CHECK(d.authorize_device);
  CHECK_FALSE(d.read_only);
}

TEST_CASE("USB-1: a stick-with-keyboard keeps its keyboard, not its storage") {
  const auto d = decideUsb(mynumberRules(), stickWithKeyboard());
  CHECK(d.rule == UsbRule::kBlockedKind);
  CHECK(d.authorize_device);
  CHECK(d.interfaceAuthorized(0));
  CHECK_FALSE(d.interfaceAuthorized(1));
  REQUIRE(d.interfaces.size() == 2);
  CHECK_FALSE(d.interfaces[0].storage_like);
  CHECK(d.interfaces[1].storage_like);
}

TEST_CASE("USB-1: block_all refuses registered media too, but still names them") {
  auto rules = withRegisteredStick(lgwanRules());
  rules.mode = UsbMode::kBlockAll;
  const auto d = decideUsb(rules, stick());
  CHECK(d.rule == UsbRule::kBlockAll);
  CHECK_FALSE(d.authorize_device);
  REQUIRE(d.medium.has_value());
  CHECK(d.medium->label == "総務課 USB-012");
  // Devices without storage are untouched by the mode.
  CHECK(decideUsb(rules, usbDevice("1-1", 0x046d, 0xc31c, "", 0x03)).authorize_device);
}

TEST_CASE("USB-3: audit mode authorises unregistered storage and says so") {
  auto rules = lgwanRules();
  rules.mode = UsbMode::kAudit;
  auto d = decideUsb(rules, stick());
  CHECK(d.rule == UsbRule::kAuditMode);
  CHECK(d.authorize_device);
  CHECK(d.interfaceAuthorized(0));
  // A registered medium is still recognised as one.
  d = decideUsb(withRegisteredStick(rules, true), stick());
  CHECK(d.rule == UsbRule::kRegisteredMedium);
  CHECK(d.read_only);
}

TEST_CASE("USB-1: phones' file transfer (MTP/PTP) is storage-like in every segment") {
  const auto phone = usbDevice("1-5", 0x04e8, 0x6860, "R58M", 0x06);
  CHECK(decideUsb(lgwanRules(), phone).rule == UsbRule::kBlockedKind);
  CHECK(decideUsb(mynumberRules(), phone).rule == UsbRule::kBlockedKind);
}

TEST_CASE("USB-1: vendor-specific and wireless classes are blocked where the segment says") {
  for (const std::uint8_t cls : std::array<std::uint8_t, 2>{0xff, 0xe0}) {
    const auto device = usbDevice("1-5", 0x04e8, 0x6860, "R58M", cls);
    CHECK(decideUsb(mynumberRules(), device).rule == UsbRule::kBlockedKind);
    CHECK(decideUsb(lgwanRules(), device).rule == UsbRule::kAllowedKind);
  }
}

TEST_CASE("USB-1: audio and video follow the policy's list: allowed unless listed") {
  auto rules = lgwanRules();
  const auto headset = usbDevice("1-6", 0x046d, 0x0a44, "", 0x01);
  const auto camera = usbDevice("1-7", 0x046d, 0x085c, "", 0x0e);
  CHECK(decideUsb(rules, headset).authorize_device);
  CHECK(decideUsb(rules, camera).authorize_device);
  rules.blocked_kinds.push_back(UsbKind::kVideo);
  CHECK(decideUsb(rules, headset).authorize_device);
  CHECK(decideUsb(rules, camera).rule == UsbRule::kBlockedKind);
}

TEST_CASE("USB-1: keyboards, hubs and smart-card readers stay usable whatever the list says") {
  auto rules = mynumberRules();
  rules.blocked_kinds = {UsbKind::kHid, UsbKind::kHub, UsbKind::kSmartCard, UsbKind::kStorage};
  for (const std::uint8_t cls : std::array<std::uint8_t, 3>{0x03, 0x09, 0x0b}) {
    const auto d = decideUsb(rules, usbDevice("1-1", 0x1111, 0x2222, "", cls));
    CHECK(d.rule == UsbRule::kAllowedKind);
    CHECK(d.authorize_device);
  }
}

TEST_CASE("USB-1: a device whose interfaces cannot be read is blocked unless registered") {
  auto unreadable = stick();
  unreadable.interfaces.clear();
  auto d = decideUsb(lgwanRules(), unreadable);
  CHECK(d.rule == UsbRule::kUnclassified);
  CHECK_FALSE(d.authorize_device);

  d = decideUsb(withRegisteredStick(lgwanRules(), true), unreadable);
  CHECK(d.rule == UsbRule::kRegisteredMedium);
  CHECK(d.authorize_device);
  CHECK(d.read_only);

  auto rules = withRegisteredStick(lgwanRules());
  rules.mode = UsbMode::kBlockAll;
  CHECK(decideUsb(rules, unreadable).rule == UsbRule::kUnclassified);
  rules.mode = UsbMode::kAudit;
  CHECK(decideUsb(rules, unreadable).authorize_device);
}

TEST_CASE("USB-3: rule ids are distinct and read back") {
  std::set<std::string_view> ids;
  for (const auto rule : kAllUsbRules) {
    const auto id = usbRuleId(rule);
    CHECK(id.starts_with("usb."));
    CHECK(parseUsbRule(id) == rule);
    ids.insert(id);
  }
  CHECK(ids.size() == kAllUsbRules.size());
  CHECK(usbRuleId(UsbRule::kRegisteredMedium) == "usb.registered-medium");
  CHECK_FALSE(parseUsbRule("usb.allow").has_value());
}
