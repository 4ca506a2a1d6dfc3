#pragma once

// The commands that talk to the collector: enroll once, run the reporting loop, show status.

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "mamori/policy/segment.hpp"
#include "mamori/policy/text.hpp"

namespace mamori::agent {

/// Where the service keeps agent.db, the device key and certificate (0700).
inline constexpr const char* kDefaultStateDir = "/var/lib/mamori";

struct EnrollOptions {
  std::string collector_url;
  std::string token;  ///< secret: never printed or logged
  std::optional<std::filesystem::path> server_ca;
  std::filesystem::path state_dir = kDefaultStateDir;
  std::filesystem::path root = "/";
  bool force = false;  ///< enroll again (new key and certificate) though already enrolled
  policy::Lang lang = policy::Lang::kJa;
};

/// Makes the device key, asks the collector for a certificate with the token, and records the
/// enrollment. Exit code 0 on success, 2 with one line on `err` otherwise.
int runEnroll(const EnrollOptions& options, std::ostream& out, std::ostream& err);

struct RunOptions {
  std::filesystem::path state_dir = kDefaultStateDir;
  std::filesystem::path root = "/";
  std::optional<std::filesystem::path> policy_file;
  std::chrono::seconds interval{900};
  bool once = false;  ///< one cycle (probe, evaluate, queue, drain), then exit
  policy::Lang lang = policy::Lang::kJa;
  /// The segment while not enrolled (default: the policy's); once enrolled, the token's.
  std::optional<policy::Segment> segment;
  /// Quarantine on the PC through its firewall (the service only). Off: the firewall is left
  /// alone whatever the policy says (tests that run the service on a developer's machine).
  bool network_guard = true;
  /// The root of trust for signed policies (issue 9), installed with the agent; while missing,
  /// the policy file alone rules.
  std::filesystem::path tuf_root = "/etc/mamori/tuf-root.json";
  /// The service installs newer agent packages signed in that repository (issue 9), where it
  /// can: a Debian package under systemd.
  bool self_update = true;
  /// How long a new version has to get a report through before the previous one is restored.
  std::chrono::seconds update_deadline{1800};
};

/// The service loop (`mamori-agent run`): USB enforcement from the start (ports locked, present
/// devices judged, hot-plugs judged as they come); every interval (±10 % jitter) probe,
/// evaluate, queue the report durably, and drain the outbox to the collector with exponential
/// backoff. Not enrolled, it runs in local-only mode (enforcement and local verdicts only).
/// Stops on SIGTERM/SIGINT; the USB ports stay locked. `once` runs one reporting cycle of an
/// enrolled agent and touches no USB port. With `once`, exit code 0 when the outbox is empty
/// afterwards, 1 if reports are still queued, 2 on errors.
int runAgent(const RunOptions& options, std::ostream& out, std::ostream& err);

/// `mamori-agent uninstall-check` (the package's prerm asks it): whether the agent may be
/// removed now. While the policy protects an enrolled PC (`uninstall_protection`, default on) it
/// needs `unlock_code`, an administrator's code for this PC from `mamori-collector device
/// unlock-code`. Every answer is an audit event in agent.db, which the agent reports. Exit code
/// 0: may be removed; 1: refused (why, in both languages, on `err`); 2: error.
struct UninstallCheckOptions {
  std::filesystem::path state_dir = kDefaultStateDir;
  std::optional<std::filesystem::path> policy_file;
  std::string unlock_code;  ///< from MAMORI_UNLOCK_CODE; empty: none
  std::string by;           ///< who asked (SUDO_USER), for the audit log
};
int runUninstallCheck(const UninstallCheckOptions& options, std::ostream& out, std::ostream& err);

/// `mamori-agent status`: enrollment, last report, last admission, queue length.
int runStatus(const std::filesystem::path& state_dir, policy::Lang lang, bool json,
              std::ostream& out, std::ostream& err);

}  // namespace mamori::agent
