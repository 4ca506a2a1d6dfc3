#include <doctest/doctest.h>

#include "facts_builder.hpp"
#include "mamori/policy/evaluate.hpp"

using namespace mamori::policy;
using namespace mamori::testing;

namespace {

UsbDevice registeredStick() {
  return usbDevice("1-2", 0x0781, 0x5581, "4C530001230510117172", 0x08);
}

}  // namespace

TEST_CASE("USB-1: locked controllers pass, a controller that authorises by itself fails") {
  auto facts = healthyFacts();
  CHECK(findingOf(facts, "USB-1", builtInPolicy()).status == Status::kPass);

  facts.usb.value().controllers[1].authorized_default = 1;
  const auto f = findingOf(facts, "USB-1", builtInPolicy());
  CHECK(f.status == Status::kFail);
  CHECK(f.severity == Severity::kCritical);
  CHECK(f.evidence.en ==
        "USB storage is not blocked: usb2 authorise new devices automatically "
        "(authorized_default=1)");
  CHECK(f.remediation.ja.find("mamori エージェント") != std::string::npos);
}

TEST_CASE("USB-1: interface-level locking counts as blocking") {
  auto facts = healthyFacts();
  for (auto& c : facts.usb.value().controllers) {
    c.authorized_default = 1;
    c.interface_authorized_default = false;
  }
  CHECK(findingOf(facts, "USB-1", builtInPolicy()).status == Status::kPass);
}

TEST_CASE("USB-1: a PC without USB controllers has nothing to block") {
  auto facts = healthyFacts();
  facts.usb = UsbInventory{};
  const auto f = findingOf(facts, "USB-1", builtInPolicy());
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en == "no USB controller present");
}

TEST_CASE("USB-1 and USB-2: unobserved USB is unknown with the probe's reason") {
  auto facts = healthyFacts();
  facts.usb = Observed<UsbInventory>::unknown("sysfs is not mounted at /sys");
  for (auto id : {"USB-1", "USB-2"}) {
    const auto f = findingOf(facts, id, builtInPolicy());
    CHECK(f.status == Status::kUnknown);
    CHECK(f.evidence.en == "cannot be determined: sysfs is not mounted at /sys");
  }
}

TEST_CASE("USB-2: an unregistered stick in use fails, naming the device") {
  auto facts = healthyFacts();
  auto stick = usbDevice("1-3", 0x0951, 0x1666, "E0D55EA574C1F1A0", 0x08);
  stick.manufacturer = "Kingston";
  stick.product = "DataTraveler 3.0";
  facts.usb.value().devices.push_back(stick);
  const auto f = findingOf(facts, "USB-2", policyWithRegisteredStick());
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en ==
        "unregistered storage is usable: 0951:1666 Kingston DataTraveler 3.0 (serial "
        "E0D55EA574C1F1A0) at 1-3");
}

TEST_CASE("USB-2: registered media pass, the same model with another serial does not") {
  auto facts = healthyFacts();
  facts.usb.value().devices.push_back(registeredStick());
  auto f = findingOf(facts, "USB-2", policyWithRegisteredStick());
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en == "registered: 0781:5581 (serial 4C530001230510117172) at 1-2");

  facts.usb.value().devices.back().serial = "4C530001230510117999";
  CHECK(findingOf(facts, "USB-2", policyWithRegisteredStick()).status == Status::kFail);
  facts.usb.value().devices.back().serial.clear();  // no serial: can never match the ledger
  CHECK(findingOf(facts, "USB-2", policyWithRegisteredStick()).status == Status::kFail);
}

TEST_CASE("USB-2: a blocked stick is no violation, it is the enforcement working") {
  auto facts = healthyFacts();
  auto stick = usbDevice("1-3", 0x0951, 0x1666, "E0D55EA574C1F1A0", 0x08);
  stick.authorized = false;
  facts.usb.value().devices.push_back(stick);
  const auto f = findingOf(facts, "USB-2", builtInPolicy());
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en == "blocked: 0951:1666 (serial E0D55EA574C1F1A0) at 1-3");
}

TEST_CASE("USB-2: a composite stick-with-keyboard fails while its storage is authorised") {
  auto facts = healthyFacts();
  auto badusb = usbDevice("1-4", 0x1234, 0x5678, "BADUSB01", 0x03);
  badusb.interfaces.push_back({1, 0x08, 0x06, 0x50, true});
  facts.usb.value().devices.push_back(badusb);
  CHECK(findingOf(facts, "USB-2", builtInPolicy()).status == Status::kFail);
  // Keyboard allowed, storage interface blocked: what the enforcer does for composites.
  facts.usb.value().devices.back().interfaces[1].authorized = false;
  CHECK(findingOf(facts, "USB-2", builtInPolicy()).status == Status::kPass);
}

TEST_CASE("USB-2: phones (MTP) are storage-like, vendor-specific only where the segment says") {
  auto facts = healthyFacts();
  facts.usb.value().devices.push_back(usbDevice("1-5", 0x04e8, 0x6860, "R58M", 0x06));
  CHECK(findingOf(facts, "USB-2", builtInPolicy()).status == Status::kFail);

  facts.usb.value().devices.back() = usbDevice("1-5", 0x04e8, 0x6860, "R58M", 0xff);
  CHECK(findingOf(facts, "USB-2", builtInPolicy(), Segment::kLgwan).status == Status::kPass);
  CHECK(findingOf(facts, "USB-2", builtInPolicy(), Segment::kMynumber).status == Status::kFail);
}

TEST_CASE("USB-2: block_all refuses even registered media, audit mode only warns") {
  auto policy = policyWithRegisteredStick();
  auto facts = healthyFacts();
  facts.usb.value().devices.push_back(registeredStick());
  policy.profile(Segment::kLgwan).usb.mode = UsbMode::kBlockAll;
  CHECK(findingOf(facts, "USB-2", policy).status == Status::kFail);

  policy.profile(Segment::kInternet).usb.mode = UsbMode::kAudit;
  policy.profile(Segment::kInternet).usb.allowlist.clear();
  const auto f = findingOf(facts, "USB-2", policy, Segment::kInternet);
  CHECK(f.status == Status::kPass);
  CHECK(f.warning);
  CHECK(findingOf(facts, "USB-1", policy, Segment::kInternet).status == Status::kPass);
}

TEST_CASE("USB-3: the agent's audit log passes while nothing was lost before reporting") {
  auto facts = healthyFacts();
  auto f = findingOf(facts, "USB-3", builtInPolicy());
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en ==
        "audit log: 3 decisions (0 not yet reported); latest 2026-11-22T07:00:00Z");

  facts.usb_audit.value().dropped = 12;
  f = findingOf(facts, "USB-3", builtInPolicy());
  CHECK(f.status == Status::kFail);
  CHECK(f.evidence.en.ends_with("12 decisions lost to the log's limit before they were reported"));

  facts.usb_audit = Observed<UsbAuditLog>::unknown("no mamori agent log here");
  f = findingOf(facts, "USB-3", builtInPolicy());
  CHECK(f.status == Status::kUnknown);
  CHECK(f.remediation.en.starts_with("Start the mamori agent service"));
}

TEST_CASE("USB-4: every attached device is listed in the report") {
  auto facts = healthyFacts();
  facts.usb.value().devices.push_back(registeredStick());
  const auto f = findingOf(facts, "USB-4", builtInPolicy());
  CHECK(f.status == Status::kPass);
  CHECK(f.evidence.en.starts_with("2 USB devices attached and reported: 046d:c31c"));
  CHECK(f.evidence.en.find("0781:5581") != std::string::npos);
  facts.usb = Observed<UsbInventory>::unknown("sysfs is not mounted at /sys");
  CHECK(findingOf(facts, "USB-4", builtInPolicy()).status == Status::kUnknown);
}
