#include "wire_fields.hpp"

#include <algorithm>
#include <boost/json/object.hpp>

#include "mamori/policy/json_codec.hpp"
#include "mamori/protocol/messages.hpp"

namespace mamori::protocol::wire {

std::string boundedString(const Node& node, std::size_t max_bytes) {
  const std::string_view s = node.string();
  if (s.size() > max_bytes) node.fail("is longer than " + std::to_string(max_bytes) + " bytes");
  // PEM text has line breaks; nothing else here may carry control characters into logs.
  if (std::ranges::any_of(s, [](char c) {
        return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r';
      })) {
    node.fail("contains control characters");
  }
  return std::string(s);
}

policy::TimePoint decodeTime(const Node& node) {
  const auto t = policy::parseTimestamp(node.string());
  if (!t) node.fail("is not an ISO 8601 time");
  return *t;
}

std::optional<policy::TimePoint> decodeOptionalTime(const Node& node) {
  if (node.isNull()) return std::nullopt;
  return decodeTime(node);
}

policy::Segment decodeSegment(const Node& node) {
  const auto s = policy::parseSegment(node.string());
  if (!s) node.fail("is not a segment (mynumber, lgwan, internet)");
  return *s;
}

policy::Admission decodeAdmission(const Node& node) {
  const auto a = parseAdmission(node.string());
  if (!a) node.fail("is not an admission (admit, warn, quarantine)");
  return *a;
}

boost::json::object encodeIdentity(const policy::DeviceIdentity& identity) {
  return {{"hostname", identity.hostname},
          {"machine_id", identity.machine_id},
          {"smbios_uuid", identity.smbios_uuid},
          {"macs", boost::json::array(identity.macs.begin(), identity.macs.end())}};
}

namespace {

bool isMac(std::string_view s) {
  if (s.size() != 17) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (i % 3 == 2 ? c != ':' : !hex) return false;
  }
  return true;
}

}  // namespace

policy::DeviceIdentity decodeIdentity(const Node& node) {
  policy::json::Fields f(node);
  policy::DeviceIdentity id;
  id.hostname = boundedString(f.required("hostname"), 255);
  const Node machine = f.required("machine_id");
  id.machine_id = boundedString(machine, 128);
  if (id.machine_id.empty()) machine.fail("is empty: a PC is identified by its machine id");
  id.smbios_uuid = boundedString(f.required("smbios_uuid"), 64);
  const Node macs = f.required("macs");
  for (const auto& mac : macs.array()) {
    if (!isMac(mac.string())) mac.fail("is not a MAC address (aa:bb:cc:dd:ee:ff, lower case)");
    id.macs.emplace_back(mac.string());
  }
  if (id.macs.size() > 64) macs.fail("lists more than 64 addresses");
  f.finish();
  return id;
}

namespace {

// A document decoded by a policy codec on its own reports paths from its own root (`$.usb`):
// here that root sits at `node`, so the path is rebased onto it.
template <class T>
T rebased(std::expected<T, Error> decoded, const Node& node) {
  if (!decoded) {
    Error e = std::move(decoded.error());
    if (e.field.starts_with('$')) e.field = node.path() + e.field.substr(1);
    throw policy::json::DecodeFailure{std::move(e)};
  }
  return std::move(*decoded);
}

}  // namespace

policy::PostureFacts decodeFacts(const Node& node) {
  return rebased(policy::factsFromJson(node.raw()), node);
}

policy::UsbDevice decodeUsbDevice(const Node& node) {
  return rebased(policy::usbDeviceFromJson(node.raw()), node);
}

}  // namespace mamori::protocol::wire
