#include "collector_commands.hpp"

#include <windows.h>

#include <algorithm>
#include <map>
#include <optional>

#include "agent_settings.hpp"
#include "collector_session.hpp"
#include "state_files.hpp"
#include "wide_string.hpp"

namespace mamori::agent::windows {
namespace {

namespace fs = std::filesystem;
using platform::windows::widen;

// `--name value` options and `--flag`s; anything else is an error naming it.
struct Options {
  std::map<std::string, std::string, std::less<>> values;
  bool force = false;
  policy::Lang lang = policy::Lang::kJa;
  std::string error;

  Options(const std::vector<std::string>& args, std::initializer_list<std::string_view> names,
          bool allow_force) {
    for (std::size_t i = 0; i < args.size() && error.empty(); ++i) {
      const auto& a = args[i];
      const bool has_value = i + 1 < args.size();
      if (allow_force && a == "--force") {
        force = true;
      } else if (a == "--lang" && has_value && (args[i + 1] == "ja" || args[i + 1] == "en")) {
        lang = args[++i] == "en" ? policy::Lang::kEn : policy::Lang::kJa;
      } else if (a.starts_with("--") && has_value &&
                 std::ranges::find(names, std::string_view(a).substr(2)) != names.end()) {
        values[a.substr(2)] = args[++i];
      } else {
        error = "unknown or incomplete option " + a;
      }
    }
  }
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const {
    const auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  }
  [[nodiscard]] bool ja() const { return lang == policy::Lang::kJa; }
  [[nodiscard]] EnrollmentFiles files() const {
    const auto dir = value("state-dir");
    return {dir ? fs::path(widen(*dir)) : stateDirectory()};
  }
};

bool runningAsLocalSystem() {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return false;
  BYTE buffer[256] = {};
  DWORD size = 0;
  const bool known = GetTokenInformation(token, TokenUser, buffer, sizeof buffer, &size);
  CloseHandle(token);
  return known &&
         IsWellKnownSid(reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid, WinLocalSystemSid);
}

int failed(std::ostream& err, std::string_view command, bool ja, std::string_view why) {
  err << "mamori-agent " << command << ": " << (ja ? "エラー: " : "error: ") << why << '\n';
  return 2;
}

}  // namespace

int runEnroll(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const Options o(args, {"collector", "ca", "token", "state-dir"}, true);
  const bool ja = o.ja();
  if (!o.error.empty()) return failed(err, "enroll", ja, o.error);
  // The key lives in the key store of the account that makes it: enrolling the service's
  // folder as anyone but LocalSystem would leave the service a certificate without its key.
  if (!o.value("state-dir") && !runningAsLocalSystem()) {
    return failed(err, "enroll", ja,
                  ja ? "サービス (LocalSystem) の登録は、サービス自身が行います (msiexec "
                       "ENROLL_TOKEN=... または PsExec -s)。別の場所に登録するには --state-dir"
                     : "the service (LocalSystem) enrolls itself (msiexec ENROLL_TOKEN=..., or "
                       "run this as LocalSystem, e.g. PsExec -s); --state-dir enrolls elsewhere");
  }
  const auto files = o.files();
  const auto settings = readAgentSettings();
  if (!settings) return failed(err, "enroll", ja, "settings: " + settings.error());
  EnrollParameters parameters;
  parameters.collector_url = o.value("collector").value_or(settings->collector_url);
  if (parameters.collector_url.empty()) {
    return failed(err, "enroll", ja, "--collector URL is required");
  }
  const auto ca_file =
      o.value("ca") ? std::optional(fs::path(widen(*o.value("ca")))) : settings->collector_ca;
  if (!ca_file) {
    return failed(err, "enroll", ja,
                  "--ca FILE is required: the CA that vouches for the collector");
  }
  const auto pinned = readStateFile(*ca_file);
  if (!pinned) return failed(err, "enroll", ja, "--ca: " + pinned.error());
  parameters.pinned_ca_pem = *pinned;
  parameters.token = o.value("token").value_or(readStateFile(files.token()).value_or(""));
  if (parameters.token.empty()) {
    return failed(err, "enroll", ja, "--token is required (no token was left by the installer)");
  }
  parameters.force = o.force;
  const auto enrolled = loadEnrollment(files);
  if (!enrolled) return failed(err, "enroll", ja, "state: " + enrolled.error());
  if (*enrolled && !o.force) {
    return failed(
        err, "enroll", ja,
        ja ? "登録済みです (再登録は --force)" : "already enrolled (use --force to re-enroll)");
  }
  const auto enrollment = enrollThisPc(files, parameters);
  if (!enrollment) return failed(err, "enroll", ja, enrollment.error());
  out << (ja ? "登録しました: 端末ID " : "enrolled: device ") << enrollment->device_id
      << (ja ? "、部署 " : ", department ") << enrollment->department
      << (ja ? "、区分 " : ", segment ") << policy::segmentId(enrollment->segment)
      << (ja ? "、証明書の期限 " : ", certificate expires ")
      << policy::formatTimestamp(enrollment->certificate_expires) << '\n';
  return 0;
}

int runReport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const Options o(args, {"state-dir"}, false);
  const bool ja = o.ja();
  if (!o.error.empty()) return failed(err, "report", ja, o.error);
  const auto files = o.files();
  const auto enrollment = loadEnrollment(files);
  if (!enrollment) return failed(err, "report", ja, "state: " + enrollment.error());
  if (!*enrollment) {
    return failed(err, "report", ja,
                  ja ? "未登録です (mamori-agent enroll)" : "not enrolled (mamori-agent enroll)");
  }
  const auto settings = readAgentSettings();
  if (!settings) return failed(err, "report", ja, "settings: " + settings.error());
  // The enrolled segment is the collector's, from the token: it wins over the registry's.
  AuditLog audit(files.dir);
  const auto check = checkThisPc(settings->policy_file, (*enrollment)->segment, audit.facts());
  if (!check) return failed(err, "report", ja, "policy: " + check.error().describe());
  const auto ack = reportCheck(files, **enrollment, *check, audit);
  if (!ack) return failed(err, "report", ja, ack.error().reason);
  const auto& admission = ack->admission;
  out << (ja ? "報告しました: 端末ID " : "reported: device ") << admission.device_id
      << (ja ? "、判定 " : ", admission ") << policy::admissionId(admission.admission)
      << (ja ? " (ポリシー版 " : " (policy version ") << admission.policy_version << ")\n";
  return 0;
}

}  // namespace mamori::agent::windows
