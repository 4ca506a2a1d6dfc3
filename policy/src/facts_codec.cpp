// Facts from JSON: what the collector reads out of a report before it judges the PC again with
// its own policy. As strict as the policy codec: a wrong type, a value out of range or a key
// the encoder never writes is an error naming its JSON path; nothing is half decoded.

#include <algorithm>
#include <charconv>

#include "facts_decoders.hpp"
#include "mamori/policy/json_codec.hpp"

namespace mamori::policy {
namespace detail {

std::string decodeString(const json::Node& node) { return std::string(node.string()); }

TimePoint decodeTime(const json::Node& node) {
  auto t = parseTimestamp(node.string());
  if (!t) node.fail("is not an ISO 8601 time");
  return *t;
}

std::vector<std::string> decodeStrings(const json::Node& node) {
  std::vector<std::string> out;
  for (const auto& item : node.array()) out.push_back(decodeString(item));
  return out;
}

}  // namespace detail

namespace {

using detail::decodeObserved;
using detail::decodeString;
using detail::decodeTime;

// `"0781"`: lower- or upper-case hex of exactly `digits` digits.
unsigned decodeHex(const json::Node& node, int digits) {
  const auto s = node.string();
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
  if (s.size() != static_cast<std::size_t>(digits) || ec != std::errc{} ||
      end != s.data() + s.size()) {
    node.fail("is not " + std::to_string(digits) + " hexadecimal digits");
  }
  return value;
}

OsRelease decodeOs(const json::Node& node) {
  json::Fields f(node);
  OsRelease os{decodeString(f.required("id")), decodeString(f.required("version_id")),
               decodeString(f.required("pretty_name")),
               decodeString(f.required("version_codename"))};
  // Written by Windows agents only.
  if (auto n = f.optional("edition")) os.edition = decodeString(*n);
  if (auto n = f.optional("build")) os.build = decodeString(*n);
  f.finish();
  return os;
}

UsbInterface decodeInterface(const json::Node& node) {
  json::Fields f(node);
  UsbInterface i;
  i.number = static_cast<std::uint8_t>(f.required("number").integer(0, 255));
  i.interface_class = static_cast<std::uint8_t>(decodeHex(f.required("class"), 2));
  i.subclass = static_cast<std::uint8_t>(decodeHex(f.required("subclass"), 2));
  i.protocol = static_cast<std::uint8_t>(decodeHex(f.required("protocol"), 2));
  (void)f.required("kind").string();  // derived from the class; re-derived, not trusted
  i.authorized = f.required("authorized").boolean();
  f.finish();
  return i;
}

UsbDevice decodeDevice(const json::Node& node) {
  json::Fields f(node);
  UsbDevice d;
  d.port = decodeString(f.required("port"));
  d.vendor_id = static_cast<std::uint16_t>(decodeHex(f.required("vendor_id"), 4));
  d.product_id = static_cast<std::uint16_t>(decodeHex(f.required("product_id"), 4));
  d.serial = decodeString(f.required("serial"));
  d.manufacturer = decodeString(f.required("manufacturer"));
  d.product = decodeString(f.required("product"));
  d.device_class = static_cast<std::uint8_t>(decodeHex(f.required("device_class"), 2));
  d.authorized = f.required("authorized").boolean();
  (void)detail::decodeStrings(f.required("kinds"));  // derived from the interfaces
  for (const auto& i : f.required("interfaces").array()) d.interfaces.push_back(decodeInterface(i));
  f.finish();
  return d;
}

UsbInventory decodeUsb(const json::Node& node) {
  json::Fields f(node);
  UsbInventory usb;
  for (const auto& c : f.required("controllers").array()) {
    json::Fields cf(c);
    UsbController controller;
    controller.name = decodeString(cf.required("name"));
    controller.authorized_default =
        static_cast<int>(cf.required("authorized_default").integer(0, 2));
    if (auto n = cf.optional("interface_authorized_default")) {
      controller.interface_authorized_default = n->boolean();
    }
    cf.finish();
    usb.controllers.push_back(std::move(controller));
  }
  for (const auto& d : f.required("devices").array()) usb.devices.push_back(decodeDevice(d));
  f.finish();
  return usb;
}

UsbAuditLog decodeUsbAudit(const json::Node& node) {
  json::Fields f(node);
  UsbAuditLog log;
  log.events = f.required("events").integer(0, INT64_MAX);
  log.waiting = f.required("waiting").integer(0, INT64_MAX);
  log.dropped = f.required("dropped").integer(0, INT64_MAX);
  if (const auto last = f.required("last_event"); !last.isNull()) log.last_event = decodeTime(last);
  f.finish();
  return log;
}

SignatureDatabase decodeDatabase(const json::Node& node) {
  json::Fields f(node);
  SignatureDatabase db;
  db.file = decodeString(f.required("file"));
  db.built = decodeObserved<TimePoint>(f.required("built"), decodeTime);
  db.version = static_cast<std::uint32_t>(f.required("version").integer(0, UINT32_MAX));
  db.signatures = static_cast<std::uint32_t>(f.required("signatures").integer(0, UINT32_MAX));
  db.functionality_level = static_cast<int>(f.required("functionality_level").integer(0, 1 << 20));
  f.finish();
  return db;
}

AntiMalwareProduct decodeProduct(const json::Node& node) {
  json::Fields f(node);
  AntiMalwareProduct p;
  const auto boolean = [](const json::Node& n) { return n.boolean(); };
  p.id = std::string(f.required("id").nonEmptyString());
  p.name = decodeString(f.required("name"));
  p.engine_version = decodeObserved<std::string>(f.required("engine_version"), decodeString);
  p.service_running = decodeObserved<bool>(f.required("service_running"), boolean);
  p.real_time_protection = decodeObserved<bool>(f.required("real_time_protection"), boolean);
  p.signatures_updated = decodeObserved<TimePoint>(f.required("signatures_updated"), decodeTime);
  p.signature_version = decodeObserved<std::string>(f.required("signature_version"), decodeString);
  p.last_full_scan = decodeObserved<TimePoint>(f.required("last_full_scan"), decodeTime);
  if (auto n = f.optional("signatures_reported_current")) {
    p.signatures_reported_current = decodeObserved<bool>(*n, boolean);
  }
  for (const auto& db : f.required("databases").array()) p.databases.push_back(decodeDatabase(db));
  f.finish();
  return p;
}

// A report lists a month or two of Windows updates; more is not a PC's posture but noise.
constexpr std::size_t kMaxPendingUpdates = 500;

std::vector<PendingUpdate> decodePendingUpdates(const json::Node& node) {
  const auto items = node.array();
  if (items.size() > kMaxPendingUpdates) {
    node.fail("lists more than " + std::to_string(kMaxPendingUpdates) + " updates");
  }
  std::vector<PendingUpdate> updates;
  for (const auto& item : items) {
    json::Fields f(item);
    PendingUpdate u;
    const auto title = f.required("title");
    u.title = std::string(title.nonEmptyString());
    if (u.title.size() > 512) title.fail("is longer than 512 bytes");
    u.released = decodeTime(f.required("released"));
    f.finish();
    updates.push_back(std::move(u));
  }
  return updates;
}

PackageInventory decodePackages(const json::Node& node) {
  json::Fields f(node);
  PackageInventory inventory;
  inventory.manager = decodeString(f.required("manager"));
  const auto count = f.required("count");
  inventory.last_change = decodeObserved<TimePoint>(f.required("last_change"), decodeTime);
  const auto installed = f.required("installed");
  for (const auto& item : installed.array()) {
    json::Fields pf(item);
    inventory.packages.push_back({std::string(pf.required("name").nonEmptyString()),
                                  std::string(pf.required("version").nonEmptyString()),
                                  decodeString(pf.required("architecture"))});
    pf.finish();
  }
  if (const auto pending = f.optional("pending_security_updates")) {
    inventory.pending_security_updates =
        decodeObserved<std::vector<PendingUpdate>>(*pending, decodePendingUpdates);
  }
  if (count.integer(0, INT64_MAX) != static_cast<std::int64_t>(inventory.packages.size())) {
    count.fail("does not match the number of installed packages listed");
  }
  f.finish();
  // PackageInventory::find() relies on the order; a report is not trusted to keep it.
  std::ranges::stable_sort(inventory.packages, {}, &InstalledPackage::name);
  return inventory;
}

PostureFacts decodeFacts(const json::Node& root) {
  json::Fields f(root);
  PostureFacts facts;
  facts.collected_at = decodeTime(f.required("collected_at"));
  {
    json::Fields d(f.required("device"));
    facts.device.hostname = decodeString(d.required("hostname"));
    facts.device.machine_id = decodeString(d.required("machine_id"));
    facts.device.smbios_uuid = decodeString(d.required("smbios_uuid"));
    facts.device.macs = detail::decodeStrings(d.required("macs"));
    d.finish();
  }
  facts.os = decodeObserved<OsRelease>(f.required("os"), decodeOs);
  facts.usb = decodeObserved<UsbInventory>(f.required("usb"), decodeUsb);
  // Optional: agents before the audit log did not send it (it then stays unknown).
  if (const auto audit = f.optional("usb_audit")) {
    facts.usb_audit = decodeObserved<UsbAuditLog>(*audit, decodeUsbAudit);
  }
  facts.antimalware = decodeObserved<std::vector<AntiMalwareProduct>>(
      f.required("antimalware"), [](const json::Node& n) {
        std::vector<AntiMalwareProduct> products;
        for (const auto& p : n.array()) products.push_back(decodeProduct(p));
        return products;
      });
  facts.packages = decodeObserved<PackageInventory>(f.required("packages"), decodePackages);
  facts.login = decodeObserved<LoginFacts>(f.required("login"), detail::decodeLogin);
  f.finish();
  return facts;
}

}  // namespace

std::expected<UsbDevice, Error> usbDeviceFromJson(const boost::json::value& json) {
  return json::decoded([&] { return decodeDevice(json::Node(json)); });
}

std::expected<PostureFacts, Error> factsFromJson(const boost::json::value& json) {
  try {
    return decodeFacts(json::Node(json));
  } catch (json::DecodeFailure& failure) {
    return std::unexpected(std::move(failure.error));
  }
}

}  // namespace mamori::policy
