// POST /v1/radius/authorize: FreeRADIUS's rlm_rest asks whether a port may open, and on which
// VLAN (802.1X EAP-TLS by device certificate, MAB by MAC address). The request body is
// rlm_rest's JSON (`{"User-Name": {"type": "string", "value": ["..."]}, ...}`); the answer is a
// flat object of attributes rlm_rest copies into the reply (`"reply:Tunnel-Private-Group-Id"`).
// 200 with attributes: accept on that VLAN; 401: reject.

#include <boost/json/parse.hpp>
#include <cctype>

#include "mamori/collector/service.hpp"

namespace mamori::collector {
namespace {

// The first value of an attribute in rlm_rest's request body, or "".
std::string attribute(const boost::json::object& request, std::string_view name) {
  const auto* attr = request.if_contains(name);
  if (!attr || !attr->is_object()) return {};
  const auto* values = attr->as_object().if_contains("value");
  if (!values || !values->is_array() || values->as_array().empty()) return {};
  const auto& first = values->as_array().front();
  return first.is_string() ? std::string(first.as_string()) : std::string();
}

// `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff`, `AABBCCDDEEFF` -> `aa:bb:cc:dd:ee:ff`; "" otherwise.
std::string normalisedMac(std::string_view text) {
  std::string hex;
  for (const char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (c != ':' && c != '-' && c != '.') {
      return {};
    }
  }
  if (hex.size() != 12) return {};
  std::string mac;
  for (std::size_t i = 0; i < 12; i += 2) mac += (i ? ":" : "") + hex.substr(i, 2);
  return mac;
}

// rlm_rest expands `%{...}` in values by default; a reason text must arrive as written.
boost::json::object literal(std::string_view text) { return {{"value", text}, {"do_xlat", false}}; }

Response vlanReply(std::string_view vlan, std::string_view message) {
  return {200,
          {{"reply:Tunnel-Type", "VLAN"},
           {"reply:Tunnel-Medium-Type", "IEEE-802"},
           {"reply:Tunnel-Private-Group-Id", vlan},
           {"reply:Reply-Message", literal(message)}}};
}

}  // namespace

Response Service::radiusAuthorize(const Peer& peer, std::string_view body,
                                  policy::TimePoint now) const {
  if (peer.role != PeerRole::kService || peer.name != "radius") {
    return errorResponse(403, "not_radius", "this endpoint is for the RADIUS service");
  }
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    return errorResponse(400, "invalid_request", "not an rlm_rest JSON object");
  }
  const auto& request = parsed.as_object();
  // EAP-TLS: the certificate FreeRADIUS verified names the device; MAB: the MAC does.
  const std::string common_name = attribute(request, "TLS-Client-Cert-Common-Name");
  std::string mac = normalisedMac(attribute(request, "Calling-Station-Id"));
  if (mac.empty()) mac = normalisedMac(attribute(request, "User-Name"));

  auto found = !common_name.empty() ? store_.findDevice(common_name)
               : !mac.empty()       ? store_.findDeviceByMac(mac)
                                    : std::expected<std::optional<DeviceRecord>, Error>{};
  if (!found) return errorResponse(503, "storage", found.error());
  if (!*found || (*found)->revoked_at) {
    if (config_.radius.quarantine_unknown) {
      return vlanReply(config_.radius.quarantine_vlan, "mamori: unknown device, quarantined");
    }
    return {401, {{"reply:Reply-Message", literal("mamori: unknown device")}}};
  }
  const DeviceRecord& device = **found;
  auto posture = store_.latestPosture(device.id);
  if (!posture) return errorResponse(503, "storage", posture.error());
  const auto state = admissionAt(device, *posture ? &**posture : nullptr, *policyFor(device), now);
  if (state.admission == policy::Admission::kQuarantine) {
    return vlanReply(config_.radius.quarantine_vlan, "mamori: quarantine: " + state.reason.en);
  }
  return vlanReply(config_.radius.vlans[static_cast<std::size_t>(device.segment)],
                   "mamori: " + std::string(policy::admissionId(state.admission)));
}

}  // namespace mamori::collector
