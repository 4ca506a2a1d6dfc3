#include "mamori/policy/network_mode.hpp"

namespace mamori::policy {

std::string_view networkModeId(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kOpen: return "open";
    case NetworkMode::kQuarantine: return "quarantine";
    case NetworkMode::kIsolated: return "isolated";
  }
  return "open";
}

std::optional<NetworkMode> parseNetworkMode(std::string_view id) {
  for (const auto mode : {NetworkMode::kOpen, NetworkMode::kQuarantine, NetworkMode::kIsolated}) {
    if (networkModeId(mode) == id) return mode;
  }
  return std::nullopt;
}

Text networkModeText(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kOpen: return {"接続許可", "open"};
    case NetworkMode::kQuarantine: return {"検疫中", "quarantined"};
    case NetworkMode::kIsolated: return {"隔離中", "isolated"};
  }
  return {"接続許可", "open"};
}

namespace {

NetworkDecision followCollector(const HeardAdmission& heard) {
  const bool quarantine = heard.admission == Admission::kQuarantine;
  return {quarantine ? NetworkMode::kQuarantine : NetworkMode::kOpen, "network.admission",
          heard.reason};
}

std::string hours(std::chrono::hours h) { return std::to_string(h.count()); }

}  // namespace

NetworkDecision decideNetworkMode(const AdmissionRules& rules,
                                  const std::optional<HeardAdmission>& heard, TimePoint started,
                                  TimePoint now) {
  if (heard && heard->isolated) {
    return {NetworkMode::kIsolated,
            "network.isolation",
            {"CSIRT による隔離: " + heard->reason.ja, "CSIRT isolation: " + heard->reason.en}};
  }
  if (rules.local_quarantine == LocalQuarantine::kOff) {
    return {
        NetworkMode::kOpen,
        "network.off",
        {"この区分では端末側の検疫を行いません。", "This segment has no quarantine on the PC."}};
  }
  const bool fail_closed = rules.local_quarantine == LocalQuarantine::kFailClosed;
  const bool fresh = heard && now - heard->heard_at <= rules.report_freshness &&
                     (!fail_closed || heard->heard_at >= started);
  if (fresh) return followCollector(*heard);
  if (fail_closed) {
    if (!heard || heard->heard_at < started) {
      return {NetworkMode::kQuarantine,
              "network.no-admission",
              {"起動後まだ集約サーバから接続許可を受けていません。",
               "No admission from the collector since the agent started."}};
    }
    return {
        NetworkMode::kQuarantine,
        "network.no-admission",
        {"集約サーバの接続判定が " + hours(rules.report_freshness) +
             " 時間以上更新されていません。",
         "The collector's admission is older than " + hours(rules.report_freshness) + " hours."}};
  }
  if (heard) return followCollector(*heard);
  return {NetworkMode::kOpen,
          "network.no-admission",
          {"集約サーバの接続判定はまだありません。", "No admission from the collector yet."}};
}

}  // namespace mamori::policy
