#pragma once

// Enrollment and reporting on a Windows PC, for the service and for `enroll` / `report` alike.
// The files, under %ProgramData%\mamori (or another state folder), as on Linux:
//   enrollment.json   what enrollment established (written last: its presence means enrolled)
//   device.crt        the device certificate the collector issued
//   server-ca.crt     the CA the collector's certificate must chain to (pinned at enrollment)
//   collector-ca.crt  the collector's own CA, which issued device.crt
//   enroll-token      the token the installer left, until enrollment spends it
//   audit.jsonl       the audit events not yet carried by a report (audit_log.hpp)
//   last-admission.json  the collector's last admission, and when it was heard
//   network.json      what the service did with the firewall (service_network.hpp)
// The device key is not a file: it lives in the CryptoAPI container `mamori-device`.

#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "audit_log.hpp"
#include "collector_link.hpp"
#include "enrollment.hpp"
#include "mamori/protocol/messages.hpp"
#include "posture_check.hpp"

namespace mamori::agent::windows {

struct EnrollmentFiles {
  std::filesystem::path dir;
  [[nodiscard]] std::filesystem::path record() const { return dir / "enrollment.json"; }
  [[nodiscard]] std::filesystem::path certificate() const { return dir / "device.crt"; }
  [[nodiscard]] std::filesystem::path serverCa() const { return dir / "server-ca.crt"; }
  [[nodiscard]] std::filesystem::path collectorCa() const { return dir / "collector-ca.crt"; }
  [[nodiscard]] std::filesystem::path token() const { return dir / "enroll-token"; }
  [[nodiscard]] std::filesystem::path lastAdmission() const { return dir / "last-admission.json"; }
};

/// The enrollment in `files`; nullopt when the PC is not enrolled.
std::expected<std::optional<Enrollment>, std::string> loadEnrollment(const EnrollmentFiles& files);

struct EnrollParameters {
  std::string collector_url;
  std::string pinned_ca_pem;  ///< the CA that vouches for the collector
  std::string token;          ///< secret: never logged
  /// Forget the current enrollment and key first. A refused re-enrollment then leaves the PC
  /// plainly not enrolled, not holding a certificate whose key is gone.
  bool force = false;
};

/// Makes (or reuses) the device key, sends its certificate request with the token, checks the
/// certificate the collector issued is for that key, and keeps it all in `files`; the spent
/// token file goes. Errors say which step failed and why.
std::expected<Enrollment, std::string> enrollThisPc(const EnrollmentFiles& files,
                                                    const EnrollParameters& parameters);

/// The report of one check, under a fresh report id, carrying the oldest audit events still
/// waiting (at most protocol::kMaxAuditEventsPerReport); `lines` is what they took in the log.
struct ReportToSend {
  protocol::Report report;
  std::size_t lines = 0;
};
ReportToSend reportOf(const PostureCheck& check, AuditLog& audit);

/// The collector's last word about this PC, when it was heard, and the requirements its
/// verdict did not pass (named in the staff's notice) (last-admission.json).
struct HeardState {
  protocol::AdmissionState admission;
  policy::TimePoint heard_at;
  std::vector<std::string> unmet;
};
std::expected<void, std::string> rememberAdmission(const EnrollmentFiles& files,
                                                   const HeardState& heard);
std::optional<HeardState> lastAdmission(const EnrollmentFiles& files);

/// Sends the report of `check` with the device certificate in `files` to the enrolled
/// collector; once it acknowledged, the audit events the report carried are marked carried and
/// its admission is remembered.
std::expected<protocol::ReportAck, ExchangeFailure> reportCheck(const EnrollmentFiles& files,
                                                                const Enrollment& enrollment,
                                                                const PostureCheck& check,
                                                                AuditLog& audit);

}  // namespace mamori::agent::windows
