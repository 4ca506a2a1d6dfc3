#pragma once

// `mamori-agent.exe enroll` and `mamori-agent.exe report`: the Windows PC joins the collector
// with a token and its own key, then sends its posture over mutual TLS. The files, under
// %ProgramData%\mamori (or --state-dir), as on Linux:
//   enrollment.json   what enrollment established (written last: its presence means enrolled)
//   device.crt        the device certificate the collector issued
//   server-ca.crt     the CA the collector's certificate must chain to (from `enroll --ca`)
//   collector-ca.crt  the collector's own CA, which issued device.crt
// The device key is not a file: it lives in the CryptoAPI container `mamori-device`.

#include <expected>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "enrollment.hpp"
#include "mamori/policy/text.hpp"

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

/// `enroll [--collector URL] --ca FILE [--token TOKEN] [--force] [--state-dir DIR]
/// [--lang ja|en]`. The collector URL defaults to the MSI's CollectorUrl, the token to the one
/// the service took into custody. Exit 0 enrolled, 2 not.
int runEnroll(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// `report [--state-dir DIR] [--lang ja|en]`: checks this PC and sends the report; prints the
/// collector's admission. Exit 0 sent, 2 not.
int runReport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mamori::agent::windows
