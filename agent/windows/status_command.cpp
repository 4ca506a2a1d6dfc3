#include "status_command.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agent_settings.hpp"
#include "audit_log.hpp"
#include "collector_session.hpp"
#include "network_plan.hpp"
#include "state_files.hpp"
#include "wide_string.hpp"

namespace mamori::agent::windows {

namespace js = boost::json;

int runStatus(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  bool json = false;
  auto lang = policy::Lang::kJa;
  std::filesystem::path dir = stateDirectory();
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--lang" && i + 1 < args.size() &&
               (args[i + 1] == "ja" || args[i + 1] == "en")) {
      lang = args[++i] == "en" ? policy::Lang::kEn : policy::Lang::kJa;
    } else if (args[i] == "--state-dir" && i + 1 < args.size()) {
      dir = platform::windows::widen(args[++i]);
    } else {
      err << "mamori-agent status: unknown or incomplete option " << args[i] << '\n';
      return 2;
    }
  }
  const bool ja = lang == policy::Lang::kJa;
  const EnrollmentFiles files{dir};
  const auto enrollment = loadEnrollment(files);
  if (!enrollment) {
    err << "mamori-agent status: " << (ja ? "エラー: " : "error: ") << enrollment.error() << '\n';
    return 2;
  }
  const auto admission = lastAdmission(files);
  std::optional<NetworkState> network;
  if (const auto saved = readStateFile(dir / "network.json")) {
    if (auto n = NetworkState::fromJson(*saved)) network = std::move(*n);
  }
  const auto audit = AuditLog(dir).facts().value();

  if (json) {
    js::object o{
        {"enrolled", enrollment->has_value()},
        {"audit",
         {{"events", audit.events}, {"waiting", audit.waiting}, {"dropped", audit.dropped}}}};
    if (*enrollment) o["enrollment"] = js::parse((*enrollment)->toJson());
    if (admission) {
      o["admission"] = protocol::toJson(admission->admission);
      o["admission_heard"] = policy::formatTimestamp(admission->heard_at);
    }
    if (network) o["network"] = js::parse(network->toJson());
    out << js::serialize(o) << '\n';
    return 0;
  }
  const auto line = [&](std::string_view ja_label, std::string_view en_label,
                        const std::string& value) {
    out << (ja ? ja_label : en_label) << ": " << value << '\n';
  };
  if (*enrollment) {
    const auto& e = **enrollment;
    line("登録", "enrolled",
         e.device_id + " (" + e.collector_url + ", " + std::string(policy::segmentId(e.segment)) +
             ", " + e.department + ")");
    line("証明書の期限", "certificate expires", policy::formatTimestamp(e.certificate_expires));
  } else {
    line("登録", "enrolled", ja ? "未登録 (mamori-agent enroll)" : "no (mamori-agent enroll)");
  }
  if (admission) {
    line("接続判定", "admission",
         std::string(policy::admissionId(admission->admission.admission)) + " — " +
             admission->admission.reason.in(lang) + (ja ? " (受信 " : " (heard ") +
             policy::formatTimestamp(admission->heard_at) + ")");
  } else {
    line("接続判定", "admission", "-");
  }
  for (const auto& [label, value] : networkStatusLines(network, lang)) {
    out << label << ": " << value << '\n';
  }
  line("監査ログ", "audit log",
       std::to_string(audit.events) + (ja ? " 件 (未送信 " : " events (") +
           std::to_string(audit.waiting) + (ja ? " 件、消失 " : " waiting, ") +
           std::to_string(audit.dropped) + (ja ? " 件)" : " lost)"));
  return 0;
}

}  // namespace mamori::agent::windows
