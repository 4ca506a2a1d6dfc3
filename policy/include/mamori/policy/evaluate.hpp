#pragma once

#include "mamori/policy/facts.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/verdict.hpp"

namespace mamori::policy {

/// Judges one terminal: one finding per requirement the facts can speak to (USB-1, USB-2, AV-1,
/// AV-2, AV-3, AV-5, PATCH-1, PATCH-2), exceptions applied, and the admission decision.
///
/// Pure: the same inputs give the same verdict on the agent and on the collector. `exceptions`
/// are those granted to this terminal (the policy's own and any the collector holds); expired
/// ones are ignored and the finding says so.
///
/// Admission: a failure at or above the segment's quarantine severity quarantines, a lighter one
/// warns; an unknown finding does what the segment's `on_unknown` says (always quarantine in the
/// mynumber segment: fail-closed).
Verdict evaluate(const Policy& policy, Segment segment, const PostureFacts& facts,
                 const Exceptions& exceptions, TimePoint now);

}  // namespace mamori::policy
