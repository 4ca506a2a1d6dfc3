#include "collector_commands.hpp"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <map>

#include "agent_settings.hpp"
#include "collector_link.hpp"
#include "device_credentials.hpp"
#include "mamori/platform/posture_probe.hpp"
#include "posture_check.hpp"
#include "state_files.hpp"
#include "wide_string.hpp"

namespace mamori::agent::windows {
namespace {

namespace fs = std::filesystem;
using platform::windows::widen;

constexpr std::chrono::seconds kTimeout{30};

// `--name value` options and `--flag`s; anything else is an error naming it.
struct Options {
  std::map<std::string, std::string> values;
  bool force = false;
  policy::Lang lang = policy::Lang::kJa;
  std::string error;

  Options(const std::vector<std::string>& args, std::initializer_list<std::string_view> names,
          bool allow_force) {
    for (std::size_t i = 0; i < args.size() && error.empty(); ++i) {
      const auto& a = args[i];
      if (allow_force && a == "--force") {
        force = true;
      } else if (a == "--lang" && i + 1 < args.size() &&
                 (args[i + 1] == "ja" || args[i + 1] == "en")) {
        lang = args[++i] == "en" ? policy::Lang::kEn : policy::Lang::kJa;
      } else if (a.starts_with("--") && std::ranges::find(names, a.substr(2)) != names.end() &&
                 i + 1 < args.size()) {
        values[a.substr(2)] = args[++i];
      } else {
        error = "unknown or incomplete option " + a;
      }
    }
  }
  [[nodiscard]] std::optional<std::string> value(const std::string& name) const {
    const auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  }
  [[nodiscard]] bool ja() const { return lang == policy::Lang::kJa; }
};

int failed(std::ostream& err, std::string_view command, bool ja, std::string_view what,
           std::string_view why) {
  err << "mamori-agent " << command << ": " << (ja ? "エラー: " : "error: ") << what << ": " << why
      << '\n';
  return 2;
}

EnrollmentFiles filesOf(const Options& o) {
  const auto dir = o.value("state-dir");
  return {dir ? fs::path(widen(*dir)) : stateDirectory()};
}

}  // namespace

std::expected<std::optional<Enrollment>, std::string> loadEnrollment(const EnrollmentFiles& files) {
  std::error_code ec;
  if (!fs::exists(files.record(), ec)) return std::nullopt;
  const auto text = readStateFile(files.record());
  if (!text) return std::unexpected(text.error());
  auto enrollment = Enrollment::fromJson(*text);
  if (!enrollment) return std::unexpected("enrollment.json: " + enrollment.error().describe());
  return std::optional(std::move(*enrollment));
}

int runEnroll(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const Options o(args, {"collector", "ca", "token", "state-dir"}, true);
  const bool ja = o.ja();
  if (!o.error.empty()) return failed(err, "enroll", ja, "usage", o.error);
  const auto files = filesOf(o);
  auto settings = readAgentSettings();
  if (!settings) return failed(err, "enroll", ja, "settings", settings.error());
  const auto url = o.value("collector").value_or(settings->collector_url);
  if (url.empty()) return failed(err, "enroll", ja, "usage", "--collector URL is required");
  const auto ca_file = o.value("ca");
  if (!ca_file) {
    return failed(err, "enroll", ja, "usage",
                  "--ca FILE is required: the CA that vouches for the collector");
  }
  const auto pinned = readStateFile(fs::path(widen(*ca_file)));
  if (!pinned) return failed(err, "enroll", ja, "--ca", pinned.error());
  std::string token = o.value("token").value_or("");
  if (token.empty()) {
    if (auto kept = readStateFile(files.token())) token = *kept;
  }
  if (token.empty()) {
    return failed(err, "enroll", ja, "usage",
                  "--token is required (no token was left by the installer)");
  }
  const auto enrolled = loadEnrollment(files);
  if (!enrolled) return failed(err, "enroll", ja, "state", enrolled.error());
  if (*enrolled && !o.force) {
    err << "mamori-agent enroll: "
        << (ja ? "登録済みです (再登録は --force)" : "already enrolled (use --force to re-enroll)")
        << '\n';
    return 2;
  }
  if (auto dir = createStateDirectory(files.dir); !dir) {
    return failed(err, "enroll", ja, "state", dir.error());
  }
  // A PC enrolled again proves a new key: the old certificate's key is not reused. The old
  // enrollment goes first, so that a refused re-enrollment leaves the PC plainly not enrolled
  // rather than holding a certificate whose key is gone.
  if (o.force) {
    std::error_code ec;
    fs::remove(files.record(), ec);
    fs::remove(files.certificate(), ec);
    if (auto gone = DeviceCredentials::destroy(std::wstring(DeviceCredentials::kContainer));
        !gone) {
      return failed(err, "enroll", ja, "key", gone.error());
    }
  }
  auto credentials = DeviceCredentials::openOrCreate();
  if (!credentials) return failed(err, "enroll", ja, "key", credentials.error());

  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto identity = platform::makePostureProbe({})->collect(now).device;
  if (identity.machine_id.empty()) {
    return failed(err, "enroll", ja, "identity",
                  "this PC has no MachineGuid (HKLM\\SOFTWARE\\Microsoft\\Cryptography)");
  }
  const auto csr = credentials->certificateRequest(identity.hostname.empty() ? "mamori-device"
                                                                             : identity.hostname);
  if (!csr) return failed(err, "enroll", ja, "csr", csr.error());
  auto client = HttpsClient::create(url, *pinned, nullptr, kTimeout);
  if (!client) return failed(err, "enroll", ja, "collector", client.error());
  CollectorLink link(std::move(*client));
  const auto answer = link.enroll({token, *csr, identity, MAMORI_VERSION});
  if (!answer) return failed(err, "enroll", ja, "collector", answer.error().reason);
  if (auto bound = credentials->clientCertificate(answer->certificate_pem); !bound) {
    return failed(err, "enroll", ja, "certificate", bound.error());
  }

  const Enrollment enrollment{
      url, answer->device_id, answer->segment, answer->department, now, answer->certificate_expires,
      true};
  for (const auto& [file, text] :
       {std::pair{files.certificate(), std::string_view(answer->certificate_pem)},
        std::pair{files.collectorCa(), std::string_view(answer->ca_certificate_pem)},
        std::pair{files.serverCa(), std::string_view(*pinned)}}) {
    if (auto written = writeStateFile(file, text); !written) {
      return failed(err, "enroll", ja, "state", written.error());
    }
  }
  if (auto written = writeStateFile(files.record(), enrollment.toJson()); !written) {
    return failed(err, "enroll", ja, "state", written.error());
  }
  std::error_code ec;
  fs::remove(files.token(), ec);  // spent: the collector counted its use
  out << (ja ? "登録しました: 端末ID " : "enrolled: device ") << answer->device_id
      << (ja ? "、部署 " : ", department ") << answer->department << (ja ? "、区分 " : ", segment ")
      << policy::segmentId(answer->segment) << (ja ? "、証明書の期限 " : ", certificate expires ")
      << policy::formatTimestamp(answer->certificate_expires) << '\n';
  return 0;
}

int runReport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const Options o(args, {"state-dir"}, false);
  const bool ja = o.ja();
  if (!o.error.empty()) return failed(err, "report", ja, "usage", o.error);
  const auto files = filesOf(o);
  const auto enrollment = loadEnrollment(files);
  if (!enrollment) return failed(err, "report", ja, "state", enrollment.error());
  if (!*enrollment) {
    return failed(err, "report", ja, "state",
                  ja ? "未登録です (mamori-agent enroll)" : "not enrolled (mamori-agent enroll)");
  }
  auto settings = readAgentSettings();
  if (!settings) return failed(err, "report", ja, "settings", settings.error());
  // The enrolled segment is the collector's, from the token: it wins over the registry's.
  auto check = checkThisPc(settings->policy_file, (*enrollment)->segment);
  if (!check) return failed(err, "report", ja, "policy", check.error().describe());

  protocol::Report report;
  report.report_id = protocol::randomUuid();
  report.generated_at = check->checked_at;
  report.agent_version = MAMORI_VERSION;
  report.policy_version = check->policy.version;
  report.agent_verdict = {check->verdict.compliant, check->verdict.admission};
  report.facts = std::move(check->facts);

  const auto certificate_pem = readStateFile(files.certificate());
  const auto pinned = readStateFile(files.serverCa());
  if (!certificate_pem || !pinned) {
    return failed(err, "report", ja, "state",
                  !certificate_pem ? certificate_pem.error() : pinned.error());
  }
  auto credentials = DeviceCredentials::openOrCreate();
  if (!credentials) return failed(err, "report", ja, "key", credentials.error());
  const auto certificate = credentials->clientCertificate(*certificate_pem);
  if (!certificate) return failed(err, "report", ja, "certificate", certificate.error());
  auto client =
      HttpsClient::create((*enrollment)->collector_url, *pinned, certificate->get(), kTimeout);
  if (!client) return failed(err, "report", ja, "collector", client.error());
  CollectorLink link(std::move(*client));
  const auto ack = link.sendReport(boost::json::serialize(protocol::toJson(report)));
  if (!ack) return failed(err, "report", ja, "collector", ack.error().reason);
  const auto& admission = ack->admission;
  out << (ja ? "報告しました: 端末ID " : "reported: device ") << admission.device_id
      << (ja ? "、判定 " : ", admission ") << policy::admissionId(admission.admission)
      << (ja ? " (ポリシー版 " : " (policy version ") << admission.policy_version << ")\n";
  return 0;
}

}  // namespace mamori::agent::windows
