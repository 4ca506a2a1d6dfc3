#pragma once

// What the agent and the collector say to each other over HTTPS (a public contract: field names
// and meanings stay stable; new fields are added, never repurposed).
//
//   POST /v1/enroll    EnrollRequest  -> EnrollResponse   (server-authenticated TLS + token)
//   POST /v1/reports   Report         -> ReportAck        (mutual TLS, device certificate)
//   GET  /v1/admission                -> AdmissionState   (mutual TLS)
//
// Decoding is strict like the policy codec: a wrong type, an out-of-range value or an unknown
// key is an Error naming its JSON path, and nothing is half-decoded.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/facts.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/time.hpp"
#include "mamori/policy/verdict.hpp"
#include "mamori/protocol/audit_event.hpp"

namespace mamori::protocol {

/// The PC asks to be enrolled: its own certificate request and the identity to pin (第86条).
struct EnrollRequest {
  std::string token;    ///< an admin-issued enrollment token (secret: never logged)
  std::string csr_pem;  ///< PKCS#10, signed with the key the PC generated and keeps
  policy::DeviceIdentity identity;
  std::string agent_version;
};

/// The collector's answer: the device's name, its certificate and the CA to trust from now on.
struct EnrollResponse {
  std::string device_id;
  std::string certificate_pem;
  std::string ca_certificate_pem;
  policy::Segment segment = policy::Segment::kLgwan;  ///< from the token, not the PC's choice
  std::string department;
  policy::TimePoint certificate_expires;
};

/// What the agent concluded itself (the collector judges again and keeps its own).
struct AgentVerdict {
  bool compliant = false;
  policy::Admission admission = policy::Admission::kQuarantine;
};

/// One posture report. `report_id` is chosen by the agent once and kept across retries, so a
/// report sent twice is stored once.
struct Report {
  std::string report_id;  ///< 8–64 of `[A-Za-z0-9-]` (the agent uses a UUID)
  policy::TimePoint generated_at;
  std::string agent_version;
  std::int64_t policy_version = 0;  ///< the policy the agent judged with
  AgentVerdict agent_verdict;
  policy::PostureFacts facts;
  /// Decisions taken on the PC since the previous report (at most kMaxAuditEventsPerReport;
  /// older ones come first, the rest follow in the next report).
  std::vector<AuditEvent> audit_events;
};

inline constexpr std::size_t kMaxAuditEventsPerReport = 200;

/// A CSIRT isolation of a device (NET-4, 第107条3): in force until an admin releases it.
struct Isolation {
  policy::TimePoint since;
  std::string by;      ///< the admin who ordered it
  std::string reason;  ///< as the admin wrote it (an incident number, in any language)
};

/// The network's decision about a device, with why.
struct AdmissionState {
  std::string device_id;
  policy::Admission admission = policy::Admission::kQuarantine;
  bool stale = false;  ///< no report within the policy's freshness window
  std::optional<policy::TimePoint> grace_ends;
  std::optional<policy::TimePoint> reported_at;  ///< the report it rests on; none: never reported
  std::int64_t policy_version = 0;               ///< the collector's policy
  policy::Text reason;
  /// Set while the device is isolated; `admission` is then quarantine (for the switches too).
  /// Optional on the wire, so an agent also understands a collector from before isolation.
  std::optional<Isolation> isolation;
};

/// The collector's answer to a report: its own verdict and the admission that follows.
struct ReportAck {
  std::string report_id;
  bool duplicate = false;  ///< already stored: this is the earlier judgement
  AdmissionState admission;
  boost::json::object verdict;  ///< the collector's verdict (policy::toJson(Verdict)), as is
};

boost::json::object toJson(const EnrollRequest& request);
boost::json::object toJson(const EnrollResponse& response);
boost::json::object toJson(const Report& report);
boost::json::object toJson(const AdmissionState& state);
boost::json::object toJson(const ReportAck& ack);

std::expected<EnrollRequest, Error> enrollRequestFromJson(std::string_view text);
std::expected<EnrollResponse, Error> enrollResponseFromJson(std::string_view text);
std::expected<Report, Error> reportFromJson(std::string_view text);
std::expected<AdmissionState, Error> admissionStateFromJson(std::string_view text);
std::expected<ReportAck, Error> reportAckFromJson(std::string_view text);

/// A random (version 4) UUID in lower-case text: report ids and device ids. Unique, not secret.
std::string randomUuid();

/// Whether `id` is a well-formed report id (8–64 of `[A-Za-z0-9-]`).
bool isReportId(std::string_view id);

/// `admit`, `warn`, `quarantine` back to the enum.
std::optional<policy::Admission> parseAdmission(std::string_view id);

/// Why the collector refused a request, from its error body (`{"error": {"message": ...}}`);
/// the body's first 200 bytes when it is not one.
std::string refusalReason(std::string_view body);

}  // namespace mamori::protocol
