// `mamori-agent status`: what an admin at the PC (or a support call) needs first — is this PC
// enrolled, when did it last report, what did the collector decide, is anything waiting.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ostream>

#include "agent_state.hpp"
#include "local_store.hpp"
#include "mamori/agent/service_commands.hpp"
#include "network_admission.hpp"
#include "policy_update.hpp"
#include "self_update.hpp"

namespace mamori::agent {

int runStatus(const std::filesystem::path& state_dir, policy::Lang lang, bool json,
              std::ostream& out, std::ostream& err) {
  const bool ja = lang == policy::Lang::kJa;
  const StatePaths paths{state_dir};
  auto store = LocalStore::open(paths.database());
  if (!store) {
    err << "mamori-agent status: " << store.error().describe() << '\n';
    return 2;
  }
  std::optional<Enrollment> enrollment;
  if (const auto saved = store->state("enrollment")) {
    if (auto e = Enrollment::fromJson(*saved)) enrollment = std::move(*e);
  }
  const auto admission = store->state("last_admission");
  const auto last_sent = store->state("last_report_sent");
  const auto last_error = store->state("last_error");
  const auto queued = store->queued();
  const auto oldest = store->oldestQueued();
  const auto policy_in_force = policyInForce(*store);
  const auto update_refusal = store->state("last_update_refusal");
  const auto agent_update = pendingAgentUpdate(*store);
  std::optional<NetworkState> network;
  if (const auto saved = store->state("network")) {
    if (auto n = NetworkState::fromJson(*saved)) network = std::move(*n);
  }

  if (json) {
    boost::json::object o{
        {"enrolled", enrollment.has_value()},
        {"queued", queued},
        {"last_report_sent", last_sent ? boost::json::value(*last_sent) : nullptr},
        {"last_error",
         last_error && !last_error->empty() ? boost::json::value(*last_error) : nullptr}};
    if (enrollment) o["enrollment"] = boost::json::parse(enrollment->toJson());
    if (admission) o["admission"] = boost::json::parse(*admission);
    if (network) o["network"] = boost::json::parse(network->toJson());
    if (policy_in_force) {
      o["policy"] = boost::json::object{{"version", policy_in_force->version},
                                        {"name", policy_in_force->name},
                                        {"source", policy_in_force->source},
                                        {"since", policy::formatTimestamp(policy_in_force->since)}};
    }
    if (agent_update) {
      o["agent_update"] =
          boost::json::object{{"from", agent_update->from},
                              {"to", agent_update->to},
                              {"target", agent_update->target},
                              {"started", policy::formatTimestamp(agent_update->started)},
                              {"deadline", policy::formatTimestamp(agent_update->deadline)}};
    }
    out << boost::json::serialize(o) << '\n';
    return 0;
  }
  const auto line = [&](std::string_view ja_label, std::string_view en_label,
                        const std::string& value) {
    out << (ja ? ja_label : en_label) << ": " << value << '\n';
  };
  if (enrollment) {
    line("登録", "enrolled",
         enrollment->device_id + " (" + enrollment->collector_url + ", " +
             std::string(policy::segmentId(enrollment->segment)) + ", " + enrollment->department +
             ")");
    line("証明書の期限", "certificate expires",
         policy::formatTimestamp(enrollment->certificate_expires));
  } else {
    line("登録", "enrolled", ja ? "未登録 (mamori-agent enroll)" : "no (mamori-agent enroll)");
  }
  if (policy_in_force) {
    line("ポリシー", "policy",
         "version " + std::to_string(policy_in_force->version) + " " + policy_in_force->name +
             " (" + policy_in_force->source + (ja ? ", " : ", since ") +
             policy::formatTimestamp(policy_in_force->since) + (ja ? " から)" : ")"));
  }
  if (update_refusal && !update_refusal->empty()) {
    line("更新の拒否", "update refused", *update_refusal);
  }
  if (agent_update) {
    line("エージェント更新中", "agent update",
         agent_update->from + " -> " + agent_update->to +
             (ja ? " (報告の期限 " : " (must report by ") +
             policy::formatTimestamp(agent_update->deadline) +
             (ja ? "、過ぎれば前の版に戻ります)" : ", or the previous version is restored)"));
  }
  line("最終送信", "last report sent", last_sent.value_or("-"));
  if (admission) {
    if (auto a = protocol::admissionStateFromJson(*admission)) {
      line("接続判定", "admission",
           std::string(policy::admissionId(a->admission)) + " — " + a->reason.in(lang));
    }
  } else {
    line("接続判定", "admission", "-");
  }
  for (const auto& [label, value] : networkStatusLines(network, lang)) {
    out << label << ": " << value << '\n';
  }
  line("未送信の報告", "queued reports",
       std::to_string(queued) +
           (oldest ? (ja ? " (最古 " : " (oldest ") + policy::formatTimestamp(*oldest) + ")" : ""));
  if (last_error && !last_error->empty()) line("直近のエラー", "last error", *last_error);
  return 0;
}

}  // namespace mamori::agent
