// POST /v1/enroll: a token and a certificate request in, a device certificate out (第86条).

#include "mamori/collector/enrollment_token.hpp"
#include "mamori/collector/service.hpp"

namespace mamori::collector {

Response Service::enroll(std::string_view body, policy::TimePoint now) const {
  auto request = protocol::enrollRequestFromJson(body);
  if (!request) return errorResponse(400, "invalid_request", request.error());
  auto token = parseToken(request->token);
  if (!token) return errorResponse(401, "invalid_token", token.error());
  // Chosen here, never by the PC; a PC enrolling again keeps its id (the store supersedes its
  // old certificate), so the certificate must name that id.
  auto existing = store_.findDeviceByMachineId(request->identity.machine_id);
  if (!existing) return errorResponse(503, "storage", existing.error());
  const auto device_id =
      *existing && !(*existing)->revoked_at ? (*existing)->id : protocol::randomUuid();

  auto certificate =
      ca_.issue(request->csr_pem, device_id, now, config_.device_certificate_validity);
  if (!certificate) return errorResponse(400, "invalid_csr", certificate.error());

  DeviceRecord device;
  device.id = device_id;
  device.identity = request->identity;
  device.enrolled_at = now;
  device.certificate_serial = certificate->serial;
  device.certificate_fingerprint = certificate->sha256_fingerprint;
  device.certificate_expires = certificate->not_after;
  // The token decides department and segment; the store fills them in from it.
  auto enrolled = store_.enroll(token->id, token->secret_sha256_hex, device, now);
  if (!enrolled) {
    const bool refused = enrolled.error().code == ErrorCode::kValidation;
    return errorResponse(refused ? 403 : 503, refused ? "token_refused" : "storage",
                         enrolled.error());
  }
  protocol::EnrollResponse response;
  response.device_id = enrolled->id;
  response.certificate_pem = certificate->pem;
  response.ca_certificate_pem = ca_.certificatePem();
  response.segment = enrolled->segment;
  response.department = enrolled->department;
  response.certificate_expires = certificate->not_after;
  return {200, protocol::toJson(response)};
}

}  // namespace mamori::collector
