#pragma once

// Decoders for the parts of a policy document; see policy_codec.cpp for the document itself.

#include "mamori/policy/json_reader.hpp"
#include "mamori/policy/policy.hpp"

namespace mamori::policy::detail {

/// Applies a profile override (`{"usb": ..., "antimalware": ..., ...}`) onto `profile`.
void applyProfileOverride(const json::Node& node, Segment segment, Profile& profile);

std::vector<OsSupport> decodeOsSupport(const json::Node& node);
Exceptions decodeExceptions(const json::Node& node);

/// `mynumber`, `lgwan` or `internet`.
Segment decodeSegment(const json::Node& node);

/// A time or date field: `2027-03-31` or `2027-03-31T00:00:00+09:00`.
TimePoint decodeTimestamp(const json::Node& node);

}  // namespace mamori::policy::detail
