#include "service_network.hpp"

// winsock2.h before windows.h (which the headers above may bring): not sorted.
// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
// clang-format on

#include <algorithm>

#include "audit_events.hpp"
#include "event_log.hpp"
#include "https_client.hpp"
#include "state_files.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::agent::windows {
namespace {

std::filesystem::path networkFile(const EnrollmentFiles& f) { return f.dir / "network.json"; }

NetworkState savedState(const EnrollmentFiles& files) {
  const auto saved = readStateFile(networkFile(files));
  if (!saved) return {};
  auto state = NetworkState::fromJson(*saved);
  return state ? std::move(*state) : NetworkState{};
}

std::string modeId(policy::NetworkMode mode) { return std::string(policy::networkModeId(mode)); }

}  // namespace

std::expected<std::vector<platform::Endpoint>, std::string> resolveWithWindows(
    const std::string& host, std::uint16_t port, const std::string& name) {
  static const bool started = [] {
    WSADATA data{};
    return WSAStartup(MAKEWORD(2, 2), &data) == 0;
  }();
  if (!started) return std::unexpected(host + ": Winsock did not start");
  ADDRINFOW hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  ADDRINFOW* found = nullptr;
  const int rc = GetAddrInfoW(platform::windows::widen(host).c_str(), nullptr, &hints, &found);
  if (rc != 0)
    return std::unexpected(host + ": " +
                           platform::windows::describeWin32Error(static_cast<DWORD>(rc)));
  std::vector<platform::Endpoint> endpoints;
  for (const ADDRINFOW* a = found; a != nullptr; a = a->ai_next) {
    wchar_t text[INET6_ADDRSTRLEN] = {};
    const void* address =
        a->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr)
            : static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
        InetNtopW(a->ai_family, address, text, INET6_ADDRSTRLEN) == nullptr) {
      continue;
    }
    platform::Endpoint e{platform::windows::narrow(text), port, name};
    if (std::ranges::find(endpoints, e) == endpoints.end()) endpoints.push_back(std::move(e));
  }
  FreeAddrInfoW(found);
  if (endpoints.empty()) return std::unexpected(host + ": no address");
  return endpoints;
}

ServiceNetwork::ServiceNetwork(std::unique_ptr<platform::NetworkGuard> guard, EnrollmentFiles files,
                               Resolver resolve, policy::TimePoint started, AuditLog* audit,
                               Notify notify)
    : files_(std::move(files)),
      resolve_(std::move(resolve)),
      started_(started),
      audit_(audit),
      notify_(std::move(notify)),
      keeper_(std::move(guard), savedState(files_)) {
  // The filter engine, not network.json, says where the PC is: a restart of Windows empties
  // mamori's filters, and an administrator may have removed them.
  if (auto current = keeper_.readBack(); !current) {
    logEvent(EVENTLOG_ERROR_TYPE,
             "mamori: network: the firewall's mode cannot be read (taken "
             "as open): " +
                 current.error().describe());
  }
}

void ServiceNetwork::heard(const protocol::AdmissionState& admission, policy::TimePoint now,
                           std::vector<std::string> unmet) {
  if (auto kept = rememberAdmission(files_, {admission, now, std::move(unmet)}); !kept) {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: network: " + kept.error());
  }
}

std::optional<policy::HeardAdmission> ServiceNetwork::lastHeard() const {
  const auto last = lastAdmission(files_);
  if (!last) return std::nullopt;
  return heardOf(last->admission, last->heard_at);
}

void ServiceNetwork::update(const policy::Policy& policy, policy::Segment segment,
                            const Enrollment* enrollment, policy::TimePoint now) {
  const auto& rules = policy.profile(segment).admission;
  const auto decision = networkDecision(rules, enrollment, lastHeard(), started_, now);
  const auto collector = enrollment ? collectorHostPort(enrollment->collector_url)
                                    : std::optional<std::pair<std::string, std::uint16_t>>();
  std::vector<std::string> warnings;
  const auto next = keeper_.plan(decision, rules, collector, resolve_, warnings);
  for (const auto& w : warnings) logEvent(EVENTLOG_WARNING_TYPE, "mamori: network: " + w);
  const auto step = keeper_.carryOut(decision, next, now);
  if (!step) return;
  if (step->record) record(*step, decision, policy, now);
  if (auto written = writeStateFile(networkFile(files_), keeper_.state().toJson()); !written) {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: network: " + written.error());
  }
}

// A change: an audit event for the collector, a line in the event log, and, when the PC went
// in or out of quarantine or isolation, the staff member's notice.
void ServiceNetwork::record(const NetworkStep& step, const policy::NetworkDecision& decision,
                            const policy::Policy& policy, policy::TimePoint now) {
  if (audit_ && !audit_->append(
                    networkAuditEvent(step.from, decision, step.error, policy.version, now, ""))) {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: network: the change could not be kept in the audit log");
  }
  const auto line = "mamori: network: " + modeId(step.from) + " -> " + modeId(decision.mode) +
                    " (" + decision.rule + "): " + decision.reason.en;
  if (!step.error.empty()) {
    logEvent(EVENTLOG_ERROR_TYPE, line + "; the firewall refused: " + step.error);
    return;
  }
  logEvent(decision.mode == policy::NetworkMode::kOpen ? EVENTLOG_INFORMATION_TYPE
                                                       : EVENTLOG_WARNING_TYPE,
           line);
  if (step.entered && notify_) {
    const auto last = lastAdmission(files_);
    notify_(
        networkNotice(decision, last ? last->unmet : std::vector<std::string>{}, policy.contact));
  }
}

}  // namespace mamori::agent::windows
