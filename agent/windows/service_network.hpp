#pragma once

// Quarantine on the PC for the Windows service (NET-2 第85条6, NET-4 第107条3), as the Linux
// agent's NetworkAdmission does it: after each word from the collector, and at start, the
// service decides the mode (policy::decideNetworkMode, the same decision) and puts the Windows
// Filtering Platform guard in it. The filters stay when the service stops; a starting service
// reads the mode back and replaces the filters in one transaction, never opening the PC in
// between. What it remembers lives in the state folder: last-admission.json (the collector's
// admission as it said it, and when it was heard) and network.json (NetworkState). A change of
// mode is an audit event, which the next report carries, and a line in the Application event
// log.

#include <functional>
#include <memory>
#include <optional>

#include "collector_session.hpp"
#include "mamori/platform/network_guard.hpp"
#include "network_keeper.hpp"
#include "network_plan.hpp"
#include "staff_notices.hpp"

namespace mamori::agent::windows {

/// The addresses of `host` through Windows' resolver (GetAddrInfoW).
std::expected<std::vector<platform::Endpoint>, std::string> resolveWithWindows(
    const std::string& host, std::uint16_t port, const std::string& name);

class ServiceNetwork {
 public:
  /// `started`: when the service started (fail-closed segments are quarantined until the first
  /// admit after it).
  /// Told to the staff member on entering or leaving quarantine or isolation.
  using Notify = std::function<void(const StaffNotice&)>;

  /// `audit` (null: none) gets an event for each change, and must outlive this; `notify`
  /// (empty: nobody) shows the staff member's notice.
  ServiceNetwork(std::unique_ptr<platform::NetworkGuard> guard, EnrollmentFiles files,
                 Resolver resolve, policy::TimePoint started, AuditLog* audit, Notify notify);

  /// The collector answered a report: its admission, heard at `now`, and the requirements its
  /// verdict did not pass. (reportCheck keeps it so itself.)
  void heard(const protocol::AdmissionState& admission, policy::TimePoint now,
             std::vector<std::string> unmet = {});

  /// Decides from what the collector last said and puts the firewall in that mode if it is not
  /// already there (with fresh addresses).
  void update(const policy::Policy& policy, policy::Segment segment, const Enrollment* enrollment,
              policy::TimePoint now);

  [[nodiscard]] policy::NetworkMode mode() const { return keeper_.mode(); }
  /// What the service last did, as network.json holds it.
  [[nodiscard]] const NetworkState& state() const { return keeper_.state(); }

 private:
  std::optional<policy::HeardAdmission> lastHeard() const;
  void record(const NetworkStep& step, const policy::NetworkDecision& decision,
              const policy::Policy& policy, policy::TimePoint now);

  EnrollmentFiles files_;
  Resolver resolve_;
  policy::TimePoint started_;
  AuditLog* audit_;
  Notify notify_;
  NetworkKeeper keeper_;
};

}  // namespace mamori::agent::windows
