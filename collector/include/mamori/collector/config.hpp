#pragma once

// The collector's one configuration file (JSON), read once at start into this immutable struct.
// Unknown keys and out-of-range values are errors naming file, field and reason.

#include <array>
#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/segment.hpp"

namespace mamori::collector {

struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;  ///< 0: any free port (tests), announced in the log and port file
};

/// What FreeRADIUS is told for each admission (802.1X / MAB via rlm_rest).
struct RadiusConfig {
  /// The VLAN of each segment (Tunnel-Private-Group-Id), indexed by policy::Segment.
  std::array<std::string, policy::kAllSegments.size()> vlans{"10", "20", "30"};
  std::string quarantine_vlan = "999";
  /// A MAC or certificate the collector does not know: rejected, or put in quarantine.
  bool quarantine_unknown = false;
};

/// Signed policy distribution (issue 9): the TUF repository the admins sign into, and the
/// online keys with which the collector publishes it (snapshot, timestamp).
struct TufConfig {
  std::filesystem::path repository;     ///< what `mamori-policy init` made
  std::filesystem::path snapshot_key;   ///< PKCS#8 PEM, readable by the collector only
  std::filesystem::path timestamp_key;  ///< PKCS#8 PEM, readable by the collector only
  std::chrono::seconds publish_interval{60};
};

struct CollectorConfig {
  ListenAddress listen;
  /// DNS names / IP addresses agents use to reach the collector (its server certificate).
  std::vector<std::string> server_names{"localhost", "127.0.0.1"};
  std::filesystem::path state_dir;  ///< CA key and certificates; created 0700
  std::string database;             ///< `sqlite:PATH` or `postgresql://...`; default: state_dir
  std::optional<std::filesystem::path> policy_file;  ///< none: the built-in policy
  std::size_t max_report_bytes = 2 << 20;
  int threads = 64;
  std::chrono::days device_certificate_validity{397};
  RadiusConfig radius;
  /// Served at /v1/tuf/ to enrolled agents, and kept published; none: no policy distribution.
  std::optional<TufConfig> tuf;
  /// Where the bound port is written once listening (tests and scripts that asked for port 0).
  std::optional<std::filesystem::path> port_file;
};

/// Parses the configuration text; `file` is only used in error messages.
std::expected<CollectorConfig, Error> parseCollectorConfig(std::string_view json_text,
                                                           std::string_view file);

/// Reads and parses a configuration file.
std::expected<CollectorConfig, Error> loadCollectorConfig(const std::filesystem::path& file);

/// The policy the collector judges with: `policy_file`, or the built-in one.
std::expected<policy::Policy, Error> loadCollectorPolicy(const CollectorConfig& config);

}  // namespace mamori::collector
