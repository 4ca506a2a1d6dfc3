#include "collector_session.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "device_credentials.hpp"
#include "https_client.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "staff_notices.hpp"
#include "state_files.hpp"

namespace mamori::agent::windows {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kTimeout{30};

std::string step(std::string_view what, std::string_view why) {
  return std::string(what) + ": " + std::string(why);
}

}  // namespace

std::expected<void, std::string> rememberAdmission(const EnrollmentFiles& files,
                                                   const HeardState& heard) {
  boost::json::array unmet;
  for (const auto& id : heard.unmet) unmet.emplace_back(id);
  const boost::json::object saved{{"admission", protocol::toJson(heard.admission)},
                                  {"heard_at", policy::formatTimestamp(heard.heard_at)},
                                  {"unmet", std::move(unmet)}};
  return writeStateFile(files.lastAdmission(), boost::json::serialize(saved));
}

std::optional<HeardState> lastAdmission(const EnrollmentFiles& files) {
  const auto saved = readStateFile(files.lastAdmission());
  if (!saved) return std::nullopt;
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(*saved, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const auto& o = parsed.as_object();
  const auto* admission = o.if_contains("admission");
  const auto* heard_at = o.if_contains("heard_at");
  if (!admission || !heard_at || !heard_at->is_string()) return std::nullopt;
  auto state = protocol::admissionStateFromJson(boost::json::serialize(*admission));
  const auto at = policy::parseTimestamp(heard_at->as_string());
  if (!state || !at) return std::nullopt;
  HeardState heard{std::move(*state), *at, {}};
  if (const auto* unmet = o.if_contains("unmet"); unmet && unmet->is_array()) {
    for (const auto& id : unmet->as_array()) {
      if (id.is_string()) heard.unmet.emplace_back(id.as_string());
    }
  }
  return heard;
}

std::expected<std::optional<Enrollment>, std::string> loadEnrollment(const EnrollmentFiles& files) {
  std::error_code ec;
  if (!fs::exists(files.record(), ec)) return std::nullopt;
  const auto text = readStateFile(files.record());
  if (!text) return std::unexpected(text.error());
  auto enrollment = Enrollment::fromJson(*text);
  if (!enrollment) return std::unexpected("enrollment.json: " + enrollment.error().describe());
  return std::optional(std::move(*enrollment));
}

std::expected<Enrollment, std::string> enrollThisPc(const EnrollmentFiles& files,
                                                    const EnrollParameters& parameters) {
  if (auto dir = createStateDirectory(files.dir); !dir) {
    return std::unexpected(step("state", dir.error()));
  }
  if (parameters.force) {
    std::error_code ec;
    fs::remove(files.record(), ec);
    fs::remove(files.certificate(), ec);
    if (auto gone = DeviceCredentials::destroy(std::wstring(DeviceCredentials::kContainer));
        !gone) {
      return std::unexpected(step("key", gone.error()));
    }
  }
  auto credentials = DeviceCredentials::openOrCreate();
  if (!credentials) return std::unexpected(step("key", credentials.error()));

  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto identity = platform::makePostureProbe({})->collect(now).device;
  if (identity.machine_id.empty()) {
    return std::unexpected(
        step("identity", "this PC has no MachineGuid (HKLM\\SOFTWARE\\Microsoft\\Cryptography)"));
  }
  const auto csr = credentials->certificateRequest(identity.hostname.empty() ? "mamori-device"
                                                                             : identity.hostname);
  if (!csr) return std::unexpected(step("csr", csr.error()));
  auto client =
      HttpsClient::create(parameters.collector_url, parameters.pinned_ca_pem, nullptr, kTimeout);
  if (!client) return std::unexpected(step("collector", client.error()));
  CollectorLink link(std::move(*client));
  const auto answer = link.enroll({parameters.token, *csr, identity, MAMORI_VERSION});
  if (!answer) return std::unexpected(step("collector", answer.error().reason));
  if (auto bound = credentials->clientCertificate(answer->certificate_pem); !bound) {
    return std::unexpected(step("certificate", bound.error()));
  }

  const Enrollment enrollment{parameters.collector_url,
                              answer->device_id,
                              answer->segment,
                              answer->department,
                              now,
                              answer->certificate_expires,
                              true};
  const auto record = enrollment.toJson();
  for (const auto& [file, text] :
       {std::pair{files.certificate(), std::string_view(answer->certificate_pem)},
        std::pair{files.collectorCa(), std::string_view(answer->ca_certificate_pem)},
        std::pair{files.serverCa(), std::string_view(parameters.pinned_ca_pem)},
        std::pair{files.record(), std::string_view(record)}}) {
    if (auto written = writeStateFile(file, text); !written) {
      return std::unexpected(step("state", written.error()));
    }
  }
  std::error_code ec;
  fs::remove(files.token(), ec);  // spent: the collector counted its use
  return enrollment;
}

ReportToSend reportOf(const PostureCheck& check, AuditLog& audit) {
  ReportToSend out;
  auto& report = out.report;
  report.report_id = protocol::randomUuid();
  report.generated_at = check.checked_at;
  report.agent_version = MAMORI_VERSION;
  report.policy_version = check.policy.version;
  report.agent_verdict = {check.verdict.compliant, check.verdict.admission};
  report.facts = check.facts;
  auto waiting = audit.waiting(protocol::kMaxAuditEventsPerReport);
  report.audit_events = std::move(waiting.events);
  out.lines = waiting.lines;
  return out;
}

std::expected<protocol::ReportAck, ExchangeFailure> reportCheck(const EnrollmentFiles& files,
                                                                const Enrollment& enrollment,
                                                                const PostureCheck& check,
                                                                AuditLog& audit) {
  const auto [report, lines] = reportOf(check, audit);
  const auto failure = [](std::string why) { return std::unexpected(ExchangeFailure{0, why}); };
  const auto certificate_pem = readStateFile(files.certificate());
  if (!certificate_pem) return failure(certificate_pem.error());
  const auto pinned = readStateFile(files.serverCa());
  if (!pinned) return failure(pinned.error());
  const auto credentials = DeviceCredentials::open();
  if (!credentials) return failure(step("key", credentials.error()));
  const auto certificate = credentials->clientCertificate(*certificate_pem);
  if (!certificate) return failure(step("certificate", certificate.error()));
  auto client =
      HttpsClient::create(enrollment.collector_url, *pinned, certificate->get(), kTimeout);
  if (!client) return failure(step("collector", client.error()));
  CollectorLink link(std::move(*client));
  auto ack = link.sendReport(boost::json::serialize(protocol::toJson(report)));
  if (!ack) {
    return std::unexpected(
        ExchangeFailure{ack.error().status, step("collector", ack.error().reason)});
  }
  audit.carried(lines);
  (void)rememberAdmission(
      files,
      {ack->admission, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
       unmetRequirements(ack->verdict)});
  return ack;
}

}  // namespace mamori::agent::windows
