#include "windows_service.hpp"

// dbt.h needs windows.h first: not sorted.
// clang-format off
#include <windows.h>
#include <dbt.h>
// clang-format on

#include <atomic>
#include <iostream>
#include <sstream>

#include "agent_settings.hpp"
#include "collector_session.hpp"
#include "desktop_notice.hpp"
#include "event_log.hpp"
#include "policy_file.hpp"
#include "posture_check.hpp"
#include "report.hpp"
#include "service_network.hpp"
#include "service_usb.hpp"
#include "state_files.hpp"
#include "wide_string.hpp"

namespace mamori::agent::windows {
namespace {

using platform::windows::widen;

// The service's state, reachable from the SCM's callbacks (which take no context of ours).
SERVICE_STATUS_HANDLE g_status_handle = nullptr;
HANDLE g_stop = nullptr;
/// While USB enforcement runs: where SERVICE_CONTROL_DEVICEEVENT goes.
std::atomic<ServiceUsb*> g_usb = nullptr;

void setState(DWORD state, DWORD exit_code = NO_ERROR) {
  SERVICE_STATUS status{};
  status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  status.dwCurrentState = state;
  status.dwControlsAccepted =
      state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  status.dwWin32ExitCode = exit_code;
  status.dwWaitHint = state == SERVICE_RUNNING ? 0 : 30'000;
  SetServiceStatus(g_status_handle, &status);
}

// Copies the CA that CollectorCa names into the state folder at start, while the PC is not
// enrolled: the file may sit on a share that changes, or that users can write, by the time the
// token is spent. A relative path (against System32, for a service) is refused.
void keepCollectorCa(const AgentSettings& settings, const EnrollmentFiles& files) {
  if (!settings.collector_ca) return;
  if (!settings.collector_ca->is_absolute()) {
    logEvent(EVENTLOG_ERROR_TYPE,
             "mamori: CollectorCa must be a full path (C:\\... or "
             "\\\\server\\share\\...), not " +
                 platform::windows::narrow(settings.collector_ca->wstring()));
    return;
  }
  const auto enrolled = loadEnrollment(files);
  if (!enrolled || *enrolled) return;
  const auto pem = readStateFile(*settings.collector_ca);
  if (!pem || pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    logEvent(
        EVENTLOG_ERROR_TYPE,
        "mamori: CollectorCa: " + (pem ? std::string("no certificate in the file") : pem.error()));
    return;
  }
  if (auto kept = writeStateFile(files.serverCa(), *pem); !kept) {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: CollectorCa: " + kept.error());
  }
}

// Enrolls when the installer left what it takes (CollectorUrl, CollectorCa, ENROLL_TOKEN); a
// failure is logged and tried again next cycle, the token kept. Nullopt: not enrolled.
std::optional<Enrollment> enrollIfAsked(const AgentSettings& settings,
                                        const EnrollmentFiles& files) {
  if (settings.collector_url.empty()) return std::nullopt;  // local-only: checks, no reports
  const auto token = readStateFile(files.token());
  if (!token || token->empty()) {
    logEvent(EVENTLOG_WARNING_TYPE,
             "mamori: not enrolled: the installer left no ENROLL_TOKEN (or run mamori-agent "
             "enroll)");
    return std::nullopt;
  }
  // The CA as the service copied it at start (keepCollectorCa), else where CollectorCa says.
  auto pinned = readStateFile(files.serverCa());
  if (!pinned && settings.collector_ca) pinned = readStateFile(*settings.collector_ca);
  if (!pinned) {
    logEvent(EVENTLOG_ERROR_TYPE,
             "mamori: not enrolled: CollectorCa (msiexec COLLECTOR_CA=...) names no readable CA "
             "file, and the collector is never trusted without one");
    return std::nullopt;
  }
  auto enrollment = enrollThisPc(files, {settings.collector_url, *pinned, *token, false});
  if (!enrollment) {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: enrollment failed: " + enrollment.error());
    return std::nullopt;
  }
  logEvent(EVENTLOG_INFORMATION_TYPE,
           "mamori: enrolled with " + settings.collector_url + " as device " +
               enrollment->device_id + " (department " + enrollment->department + ", segment " +
               std::string(policy::segmentId(enrollment->segment)) + ")");
  return std::move(*enrollment);
}

// Sends the report and logs the collector's admission (or why it was not delivered).
void report(const EnrollmentFiles& files, const Enrollment& enrollment, const PostureCheck& check,
            AuditLog& audit) {
  const auto ack = reportCheck(files, enrollment, check, audit);
  if (!ack) {
    logEvent(EVENTLOG_WARNING_TYPE,
             "mamori: report not delivered" +
                 std::string(ack.error().transient() ? " (tried again next cycle): " : ": ") +
                 ack.error().reason);
    return;
  }
  const auto& admission = ack->admission;
  logEvent(admission.admission == policy::Admission::kQuarantine ? EVENTLOG_WARNING_TYPE
                                                                 : EVENTLOG_INFORMATION_TYPE,
           "mamori: reported to " + enrollment.collector_url + ": admission " +
               std::string(policy::admissionId(admission.admission)) + " (policy version " +
               std::to_string(admission.policy_version) + ")");
}

// One cycle: enroll if asked, check, write the result, report when enrolled, then put the
// firewall in the mode the collector's word decides. A rejected policy changes nothing: USB
// enforcement and the firewall keep to the last good one.
void checkOnce(const AgentSettings& settings, const std::filesystem::path& state_dir,
               policy::Policy& last_good, AuditLog& audit, ServiceUsb* usb,
               ServiceNetwork* network) {
  const EnrollmentFiles files{state_dir};
  auto enrollment = loadEnrollment(files);
  if (!enrollment) {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: " + enrollment.error());
    enrollment = std::optional<Enrollment>();
  }
  // A stop asked meanwhile is honoured between the steps: each may take a while.
  const auto stopping = [] { return WaitForSingleObject(g_stop, 0) == WAIT_OBJECT_0; };
  if (!*enrollment) *enrollment = enrollIfAsked(settings, files);
  if (stopping()) return;
  // The enrolled segment is the collector's, from the token: it wins over the registry's.
  const auto segment = *enrollment ? std::optional((*enrollment)->segment) : settings.segment;
  auto check = checkThisPc(settings.policy_file, segment, audit.facts());
  const auto* enrolled = *enrollment ? &**enrollment : nullptr;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (!check) {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: policy rejected: " + check.error().describe());
    // The firewall still follows the collector's word, under the last good policy.
    if (network) {
      network->update(last_good, segment.value_or(last_good.default_segment), enrolled, now);
    }
    return;
  }
  last_good = check->policy;
  if (usb) usb->update(check->policy, segment.value_or(check->policy.default_segment));
  std::ostringstream json;
  printJsonReport(json, {check->policy, check->facts, check->verdict, check->checked_at},
                  policy::Lang::kJa);
  if (auto written = writeStateFile(state_dir / "last-check.json", json.str()); !written) {
    logEvent(EVENTLOG_WARNING_TYPE, "mamori: " + written.error());
  }
  std::size_t failing = 0;
  for (const auto& f : check->verdict.findings) failing += f.status != policy::Status::kPass;
  logEvent(check->verdict.compliant ? EVENTLOG_INFORMATION_TYPE : EVENTLOG_WARNING_TYPE,
           std::string("mamori: ") + (check->verdict.compliant ? "compliant" : "not compliant") +
               ", admission " + std::string(policy::admissionId(check->verdict.admission)) + ", " +
               std::to_string(failing) + " of " + std::to_string(check->verdict.findings.size()) +
               " findings not passing");
  if (stopping()) return;
  // The report's admission is remembered (last-admission.json) for the firewall's decision.
  if (enrolled) report(files, *enrolled, *check, audit);
  if (network) {
    network->update(check->policy, segment.value_or(check->policy.default_segment), enrolled,
                    check->checked_at);
  }
}

// wixl cannot put Japanese text into the MSI (installer/windows), so the service describes itself
// in Unicode once it runs.
void describeService() {
  const SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (!manager) return;
  if (const SC_HANDLE service = OpenServiceW(manager, kServiceName, SERVICE_CHANGE_CONFIG)) {
    std::wstring text =
        L"mamori 端末セキュリティ: 情報セキュリティポリシーの遵守状況を確認します / "
        L"mamori endpoint security: checks this PC against the city's security policy";
    SERVICE_DESCRIPTIONW description{text.data()};
    ChangeServiceConfig2W(service, SERVICE_CONFIG_DESCRIPTION, &description);
    CloseServiceHandle(service);
  }
  CloseServiceHandle(manager);
}

DWORD WINAPI onControl(DWORD control, DWORD event_type, void*, void*) {
  if (control == SERVICE_CONTROL_DEVICEEVENT) {
    if (event_type == DBT_DEVICEARRIVAL || event_type == DBT_DEVICEREMOVECOMPLETE) {
      if (auto* usb = g_usb.load()) usb->deviceChanged();
    }
    return NO_ERROR;
  }
  if (control == SERVICE_CONTROL_STOP || control == SERVICE_CONTROL_SHUTDOWN) {
    setState(SERVICE_STOP_PENDING);
    SetEvent(g_stop);
    return NO_ERROR;
  }
  return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
}

void WINAPI serviceMain(DWORD, LPWSTR*) {
  g_status_handle = RegisterServiceCtrlHandlerExW(kServiceName, onControl, nullptr);
  if (!g_status_handle) return;
  g_stop = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  setState(SERVICE_START_PENDING);

  const auto settings = readAgentSettings();
  if (!settings) {
    logEvent(EVENTLOG_ERROR_TYPE,
             "mamori: HKLM\\" + std::string(kSettingsKey) + ": " + settings.error());
    setState(SERVICE_STOPPED, ERROR_BAD_CONFIGURATION);
    return;
  }
  const auto state_dir = stateDirectory();
  // Owner-only from creation: it holds the token, the enrollment and the device certificate.
  if (auto created = createStateDirectory(state_dir); !created) {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: " + created.error());
  }
  if (auto token = takeEnrollmentToken(state_dir); !token) {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: enrollment token: " + token.error());
  } else if (*token) {
    logEvent(EVENTLOG_INFORMATION_TYPE,
             "mamori: enrollment token moved from the registry into the service's state folder");
  }
  // Running (stoppable: an uninstall must be able to stop the service) before the USB bus is
  // read, which can take a while. Then USB, before the first check: a stick plugged while the
  // check runs must already meet the policy. Without a readable policy file the built-in policy
  // (storage blocked) holds until one is.
  setState(SERVICE_RUNNING);
  describeService();
  auto policy = loadPolicy(settings->policy_file);
  if (!policy) {
    logEvent(EVENTLOG_ERROR_TYPE,
             "mamori: policy rejected, the built-in policy's USB rules apply: " +
                 policy.error().describe());
    policy = policy::builtInPolicy();
  }
  // On the heap: a USB listener stuck in Windows is left to the ending process below, and its
  // writer thread must not find the audit log gone.
  auto audit = std::make_unique<AuditLog>(state_dir);
  auto usb = ServiceUsb::start(*policy, settings->segment.value_or(policy->default_segment),
                               g_status_handle, *audit);
  g_usb = usb.get();

  // Quarantine on the PC needs the filter engine; without it the service goes on unguarded.
  std::unique_ptr<ServiceNetwork> network;
  if (auto guard = platform::makeNetworkGuard()) {
    network = std::make_unique<ServiceNetwork>(
        std::move(*guard), EnrollmentFiles{state_dir}, resolveWithWindows,
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()), audit.get(),
        [](const StaffNotice& notice) { showOnConsole(notice); });
  } else {
    logEvent(EVENTLOG_ERROR_TYPE, "mamori: no quarantine on this PC: " + guard.error().describe());
  }
  const EnrollmentFiles files{state_dir};
  keepCollectorCa(*settings, files);
  // At once, before the first check and report: after a restart of Windows mamori's filters
  // are gone, and a quarantined or isolated PC goes back in from what the collector last said.
  if (network) {
    const auto enrolled = loadEnrollment(files);
    const auto* enrollment = enrolled && *enrolled ? &**enrolled : nullptr;
    const auto segment = enrollment ? std::optional(enrollment->segment) : settings->segment;
    network->update(*policy, segment.value_or(policy->default_segment), enrollment,
                    std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  }

  // While the PC is kept off the network the service asks every minute (or its interval, if
  // shorter), so that it is let back soon after it is fixed or released.
  const auto wait_ms = [&] {
    auto wait = settings->interval;
    if (network && network->mode() != policy::NetworkMode::kOpen) {
      wait = std::min<std::chrono::seconds>(wait, std::chrono::minutes{1});
    }
    return static_cast<DWORD>(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
  };
  // A stop that came while USB enforcement started is seen before the first check.
  for (DWORD wait = 0; WaitForSingleObject(g_stop, wait) == WAIT_TIMEOUT; wait = wait_ms()) {
    checkOnce(*settings, state_dir, *policy, *audit, usb.get(), network.get());
  }
  // Stops listening for USB events (the restrictions stay). The SCM waits for STOPPED, an
  // uninstall among others: a listener stuck in Windows must not hold the service up.
  g_usb = nullptr;
  if (!usb->stop(std::chrono::seconds{5})) {
    (void)usb.release();
    (void)audit.release();
  }
  usb.reset();
  setState(SERVICE_STOPPED);
}

}  // namespace

int runService() {
  SERVICE_TABLE_ENTRYW table[] = {{const_cast<LPWSTR>(kServiceName), serviceMain},
                                  {nullptr, nullptr}};
  if (!StartServiceCtrlDispatcherW(table)) {
    std::cerr << "mamori-agent: `service` runs under the service control manager (sc start "
                 "MamoriAgent); use `check` to check this PC by hand\n";
    return 2;
  }
  return 0;
}

}  // namespace mamori::agent::windows
