#include "mamori/collector/service.hpp"

#include "mamori/policy/admission.hpp"

namespace mamori::collector {

Response errorResponse(int status, std::string_view code, const Error& error) {
  boost::json::object detail{{"code", code}, {"message", error.message}};
  if (!error.field.empty()) detail["field"] = error.field;
  if (error.line > 0) {
    detail["line"] = error.line;
    detail["column"] = error.column;
  }
  return {status, {{"error", std::move(detail)}}};
}

Response errorResponse(int status, std::string_view code, std::string_view message) {
  return errorResponse(status, code, makeError(ErrorCode::kValidation, std::string(message)));
}

Service::Service(const CollectorConfig& config, const EnrollmentCa& ca, Store& store,
                 policy::Policy policy, const TufService* tuf)
    : config_(config), ca_(ca), store_(store), policies_(std::move(policy)), tuf_(tuf) {}

std::shared_ptr<const policy::Policy> Service::policyFor(const DeviceRecord& device) const {
  return policies_.policyFor(device.segment, device.department);
}

std::expected<DeviceStanding, Response> Service::authenticDevice(const Peer& peer) const {
  if (peer.role != PeerRole::kDevice) {
    return std::unexpected(
        errorResponse(403, "not_a_device", "this endpoint is for enrolled devices"));
  }
  auto device = store_.deviceStanding(peer.name);
  if (!device) return std::unexpected(errorResponse(503, "storage", device.error()));
  if (!*device || (*device)->device.revoked_at) {
    return std::unexpected(errorResponse(403, "unknown_device",
                                         "device " + peer.name + " is not enrolled or revoked"));
  }
  // A re-enrolled PC has a new certificate; the old one (perhaps copied) speaks for nobody.
  if ((*device)->device.certificate_fingerprint != peer.sha256_fingerprint) {
    return std::unexpected(errorResponse(403, "superseded_certificate",
                                         "this certificate is no longer the device's current one"));
  }
  return std::move(**device);
}

protocol::AdmissionState admissionAt(const DeviceRecord& device, const Posture* posture,
                                     const policy::Policy& policy, policy::TimePoint now) {
  protocol::AdmissionState state;
  state.device_id = device.id;
  state.policy_version = policy.version;
  state.reported_at = posture ? std::optional(posture->generated_at) : std::nullopt;
  // A CSIRT isolation overrides the posture: quarantine for the switches, isolation for the
  // agent's own firewall, until an admin releases it.
  if (device.isolation) {
    state.admission = policy::Admission::kQuarantine;
    state.isolation = device.isolation;
    state.reason = {"CSIRT により隔離中: " + device.isolation->reason,
                    "isolated by the CSIRT: " + device.isolation->reason};
    return state;
  }
  if (!posture) {
    state.admission = policy::Admission::kQuarantine;
    state.stale = true;
    state.reason = {"まだ一度も報告がないため隔離", "quarantined: no report yet"};
    return state;
  }
  const policy::AdmissionDecision judged{posture->admission, false, posture->grace_ends,
                                         posture->admission_reason};
  const auto now_decided = policy::admissionAt(judged, posture->generated_at,
                                               policy.profile(device.segment).admission, now);
  state.reported_at = posture->generated_at;
  state.admission = now_decided.admission;
  state.stale = now_decided.stale;
  state.grace_ends = now_decided.grace_ends;
  state.reason = now_decided.reason;
  return state;
}

Response Service::admission(const Peer& peer, policy::TimePoint now) const {
  auto standing = authenticDevice(peer);
  if (!standing) return standing.error();
  const auto& posture = standing->posture;
  return {200, protocol::toJson(admissionAt(standing->device, posture ? &*posture : nullptr,
                                            *policyFor(standing->device), now))};
}

}  // namespace mamori::collector
