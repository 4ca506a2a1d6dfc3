#pragma once

// Where the agent keeps what it must not lose (default /var/lib/mamori, 0700):
//   device.key        the private key generated on this PC (0600; never leaves it)
//   device.crt        the device certificate the collector issued
//   server-ca.crt     the CA that vouches for the collector (copied from `enroll --ca`)
//   collector-ca.crt  the collector's own CA, from enrollment: it issued device.crt and signs
//                     unlock codes
//   agent.db          outbox, enrollment and last results (sqlite, WAL, synchronous=FULL)

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "collector_client.hpp"
#include "mamori/error.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/time.hpp"

namespace mamori::agent {

struct StatePaths {
  std::filesystem::path dir;
  [[nodiscard]] std::filesystem::path key() const { return dir / "device.key"; }
  [[nodiscard]] std::filesystem::path certificate() const { return dir / "device.crt"; }
  [[nodiscard]] std::filesystem::path serverCa() const { return dir / "server-ca.crt"; }
  [[nodiscard]] std::filesystem::path collectorCa() const { return dir / "collector-ca.crt"; }
  [[nodiscard]] std::filesystem::path database() const { return dir / "agent.db"; }
};

/// What enrollment established; kept in agent.db under the key `enrollment`.
struct Enrollment {
  std::string collector_url;
  std::string device_id;
  policy::Segment segment = policy::Segment::kLgwan;
  std::string department;
  policy::TimePoint enrolled_at;
  policy::TimePoint certificate_expires;
  bool pinned_server_ca = false;  ///< server-ca.crt present (else the system's CAs)

  [[nodiscard]] std::string toJson() const;
  static std::expected<Enrollment, Error> fromJson(std::string_view text);
};

/// The segment the agent judges and enforces: the enrolled one (the collector's, from the
/// token) wins over `requested` (`--segment`), which wins over the policy's default.
inline policy::Segment enforcedSegment(const Enrollment* enrollment,
                                       std::optional<policy::Segment> requested,
                                       policy::Segment policy_default) {
  return enrollment ? enrollment->segment : requested.value_or(policy_default);
}

/// The client settings for an enrolled agent: its key and certificate, the pinned CA.
ClientSettings enrolledClient(const StatePaths& paths, const Enrollment& enrollment);

}  // namespace mamori::agent
