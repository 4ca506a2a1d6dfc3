#pragma once

// One posture cycle and the outbox drain, separate from the service loop so tests run them
// step by step.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "agent_state.hpp"
#include "collector_client.hpp"
#include "local_store.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/protocol/messages.hpp"

namespace mamori::agent {

/// The agent's USB audit log as a fact (USB-3); unknown with the reason when unreadable.
policy::Observed<policy::UsbAuditLog> auditFacts(LocalStore& store);

/// Probes, evaluates with the local policy in the enrolled segment, and queues the report
/// durably (the commit is on disk when this returns) with the oldest audit events no report
/// carried yet (at most protocol::kMaxAuditEventsPerReport; the rest ride on the next ones).
/// Returns the report as queued.
std::expected<protocol::Report, Error> queueReport(LocalStore& store, platform::PostureProbe& probe,
                                                   const policy::Policy& policy,
                                                   policy::Segment segment,
                                                   const std::string& agent_version,
                                                   policy::TimePoint now);

struct DrainResult {
  int sent = 0;      ///< acknowledged and removed
  int refused = 0;   ///< answered with a 4xx: kept, retried later with backoff
  int deferred = 0;  ///< the collector was unreachable: kept, the drain stopped
  std::optional<protocol::AdmissionState> admission;  ///< from the last acknowledgement
  /// The requirements the collector found failing or unknown in that report (what to fix).
  std::vector<std::string> unmet;
  std::string last_error;
};

/// Sends due reports oldest first (every queued one with `ignore_backoff`, as `run --once`
/// does when an admin asks for it). A report leaves the outbox only when the collector's
/// answer names its id. A refused report is rescheduled (exponential backoff from `random`); an
/// unreachable collector stops the drain and leaves every report as it was (`deferred`), for
/// the caller to back off.
DrainResult drainOutbox(LocalStore& store, CollectorClient& client, policy::TimePoint now,
                        std::uint64_t random, bool ignore_backoff = false);

}  // namespace mamori::agent
