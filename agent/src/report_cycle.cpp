#include "report_cycle.hpp"

#include <boost/json/serialize.hpp>

#include "backoff.hpp"
#include "mamori/policy/evaluate.hpp"
#include "staff_notices.hpp"

namespace mamori::agent {

policy::Observed<policy::UsbAuditLog> auditFacts(LocalStore& store) {
  auto log = store.auditLog();
  if (!log) return policy::Observed<policy::UsbAuditLog>::unknown(log.error().describe());
  return *log;
}

std::expected<protocol::Report, Error> queueReport(LocalStore& store, platform::PostureProbe& probe,
                                                   const policy::Policy& policy,
                                                   policy::Segment segment,
                                                   const std::string& agent_version,
                                                   policy::TimePoint now) {
  protocol::Report report;
  report.report_id = protocol::randomUuid();
  report.generated_at = now;
  report.agent_version = agent_version;
  report.policy_version = policy.version;
  report.facts = probe.collect(now);
  report.facts.usb_audit = auditFacts(store);
  const auto verdict = policy::evaluate(policy, segment, report.facts, policy.exceptions, now);
  report.agent_verdict = {verdict.compliant, verdict.admission};
  auto pending = store.unreportedAudit(static_cast<int>(protocol::kMaxAuditEventsPerReport));
  if (!pending) return std::unexpected(pending.error());
  std::vector<std::string> carried;
  for (const auto& entry : *pending) {
    // The log holds what this agent wrote; an entry that no longer decodes (a damaged page
    // salvaged) cannot be sent, and is marked carried so it does not block the ones after it.
    carried.push_back(entry.event_id);
    if (auto event = protocol::auditEventFromJson(entry.body)) {
      report.audit_events.push_back(std::move(*event));
    }
  }
  const auto body = boost::json::serialize(protocol::toJson(report));
  if (auto ok = store.enqueue(report.report_id, body, now, carried); !ok) {
    return std::unexpected(ok.error());
  }
  return report;
}

DrainResult drainOutbox(LocalStore& store, CollectorClient& client, policy::TimePoint now,
                        std::uint64_t random, bool ignore_backoff) {
  DrainResult result;
  auto due = store.due(ignore_backoff ? policy::TimePoint::max() : now, 100);
  if (!due) {
    result.last_error = due.error().describe();
    return result;
  }
  for (const auto& entry : *due) {
    auto ack = client.sendReport(entry.body);
    if (ack && ack->report_id == entry.report_id) {
      if (auto ok = store.remove(entry.report_id); !ok) result.last_error = ok.error().describe();
      ++result.sent;
      result.admission = ack->admission;
      result.unmet = unmetRequirements(ack->verdict);
      continue;
    }
    result.last_error =
        ack ? "the collector acknowledged another report id" : ack.error().error.message;
    if (!ack && ack.error().transient()) {
      // The collector is down or busy: the rest would fail the same way, and the caller backs
      // off the whole drain rather than this one report.
      result.deferred = static_cast<int>(due->size()) - result.sent - result.refused;
      break;
    }
    // Refused: this report waits longer and longer; the others go on.
    (void)store.markFailed(entry.report_id, now + retryDelay(entry.attempts + 1, random),
                           result.last_error);
    ++result.refused;
  }
  return result;
}

}  // namespace mamori::agent
