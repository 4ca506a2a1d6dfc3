#pragma once

// The record of an enrollment, the same on every OS.

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "mamori/error.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/time.hpp"

namespace mamori::agent {

/// What enrollment established. Linux keeps it in agent.db under the key `enrollment`, Windows
/// in %ProgramData%\mamori\enrollment.json.
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

}  // namespace mamori::agent
