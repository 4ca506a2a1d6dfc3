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
#include "enrollment.hpp"
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

/// The client settings for an enrolled agent: its key and certificate, the pinned CA.
ClientSettings enrolledClient(const StatePaths& paths, const Enrollment& enrollment);

}  // namespace mamori::agent
