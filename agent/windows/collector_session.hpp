#pragma once

// Enrollment and reporting on a Windows PC, for the service and for `enroll` / `report` alike.
// The files, under %ProgramData%\mamori (or another state folder), as on Linux:
//   enrollment.json   what enrollment established (written last: its presence means enrolled)
//   device.crt        the device certificate the collector issued
//   server-ca.crt     the CA the collector's certificate must chain to (pinned at enrollment)
//   collector-ca.crt  the collector's own CA, which issued device.crt
//   enroll-token      the token the installer left, until enrollment spends it
// The device key is not a file: it lives in the CryptoAPI container `mamori-device`.

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

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

/// The report of one check, under a fresh report id.
protocol::Report reportOf(const PostureCheck& check);

/// Sends `report` with the device certificate in `files` to the enrolled collector.
std::expected<protocol::ReportAck, ExchangeFailure> sendReport(const EnrollmentFiles& files,
                                                               const Enrollment& enrollment,
                                                               const protocol::Report& report);

}  // namespace mamori::agent::windows
