// What the agent keeps about its firewall and the collector's admission, and what it tells the
// staff member about them.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mamori/policy/json_reader.hpp"
#include "mamori/policy/requirement.hpp"
#include "network_admission.hpp"

namespace mamori::agent {
namespace {

namespace js = boost::json;
using policy::json::Fields;
using policy::json::Node;

js::array toJson(const std::vector<platform::Endpoint>& endpoints) {
  js::array a;
  for (const auto& e : endpoints) {
    a.push_back(js::object{{"address", e.address}, {"port", e.port}, {"name", e.name}});
  }
  return a;
}

std::vector<platform::Endpoint> endpointsOf(const Node& node) {
  std::vector<platform::Endpoint> endpoints;
  for (const auto& item : node.array()) {
    Fields f(item);
    platform::Endpoint e;
    e.address = std::string(f.required("address").nonEmptyString());
    e.port = static_cast<std::uint16_t>(f.required("port").integer(1, 65535));
    e.name = std::string(f.required("name").nonEmptyString());
    f.finish();
    endpoints.push_back(std::move(e));
  }
  return endpoints;
}

policy::Text textOf(const Node& node) {
  Fields f(node);
  policy::Text t{std::string(f.required("ja").string()), std::string(f.required("en").string())};
  f.finish();
  return t;
}

policy::TimePoint timeOf(const Node& node) {
  auto t = policy::parseTimestamp(node.string());
  if (!t) node.fail("is not an ISO 8601 time");
  return *t;
}

}  // namespace

std::string NetworkState::toJson() const {
  return js::serialize(
      js::object{{"mode", policy::networkModeId(decision.mode)},
                 {"rule", decision.rule},
                 {"reason", {{"ja", decision.reason.ja}, {"en", decision.reason.en}}},
                 {"since", policy::formatTimestamp(since)},
                 {"error", error},
                 {"collector", agent::toJson(collector)},
                 {"remediation", agent::toJson(remediation)}});
}

std::expected<NetworkState, Error> NetworkState::fromJson(std::string_view text) {
  return policy::json::decoded([&] {
    const auto root = policy::json::parseText(text);
    Fields f{Node(root)};
    NetworkState s;
    const Node mode = f.required("mode");
    const auto m = policy::parseNetworkMode(mode.string());
    if (!m) mode.fail("is not open, quarantine or isolated");
    s.decision.mode = *m;
    s.decision.rule = std::string(f.required("rule").nonEmptyString());
    s.decision.reason = textOf(f.required("reason"));
    s.since = timeOf(f.required("since"));
    s.error = std::string(f.required("error").string());
    s.collector = endpointsOf(f.required("collector"));
    s.remediation = endpointsOf(f.required("remediation"));
    f.finish();
    return s;
  });
}

std::optional<policy::HeardAdmission> heardAdmission(LocalStore& store) {
  const auto saved = store.state("last_admission");
  const auto heard = store.state("last_admission_heard");
  if (!saved || !heard) return std::nullopt;
  const auto state = protocol::admissionStateFromJson(*saved);
  const auto at = policy::parseTimestamp(*heard);
  if (!state || !at) return std::nullopt;
  // Isolated, the admin's own words (an incident number) are the reason worth repeating.
  const auto reason = state->isolation
                          ? policy::Text{state->isolation->reason, state->isolation->reason}
                          : state->reason;
  return policy::HeardAdmission{state->admission, state->isolation.has_value(), reason, *at};
}

void rememberAdmission(LocalStore& store, const protocol::AdmissionState& state,
                       const std::vector<std::string>& unmet, policy::TimePoint heard_at) {
  (void)store.setState("last_admission", js::serialize(protocol::toJson(state)));
  (void)store.setState("last_admission_heard", policy::formatTimestamp(heard_at));
  js::array ids;
  for (const auto& id : unmet) ids.emplace_back(id);
  (void)store.setState("last_unmet", js::serialize(ids));
}

std::vector<std::string> rememberedUnmet(LocalStore& store) {
  std::vector<std::string> ids;
  const auto saved = store.state("last_unmet");
  if (!saved) return ids;
  boost::system::error_code ec;
  const auto parsed = js::parse(*saved, ec);
  if (ec || !parsed.is_array()) return ids;
  for (const auto& id : parsed.as_array()) {
    if (id.is_string()) ids.emplace_back(id.as_string());
  }
  return ids;
}

namespace {

// `AV-2 ウイルス定義ファイルが最新であること`, one per line, in the staff's language.
policy::Text toFix(const std::vector<std::string>& unmet) {
  policy::Text list;
  for (const auto& id : unmet) {
    const auto* r = policy::findRequirement(id);
    list.ja += "\n・" + id + (r ? " " + r->title.ja : "");
    list.en += "\n- " + id + (r ? " " + r->title.en : "");
  }
  return list;
}

// The collector's reason as a sentence: ended with 。 or a full stop unless it already is.
std::string sentence(std::string text, std::string_view stop) {
  if (!text.empty() && !text.ends_with(stop) && !text.ends_with("。") && !text.ends_with(".")) {
    text += stop;
  }
  return text;
}

}  // namespace

StaffNotice networkNotice(const policy::NetworkDecision& d, const std::vector<std::string>& unmet,
                          const policy::Text& contact) {
  const policy::Text ask =
      contact.empty() ? policy::Text{"情報システム担当者", "the information system administrator"}
                      : contact;
  switch (d.mode) {
    case policy::NetworkMode::kOpen:
      return {{"ネットワーク接続が回復しました", "Network access restored"},
              {"この端末は接続を許可され、ネットワークを通常どおり使用できます。",
               "This PC has been admitted and can use the network as usual."}};
    case policy::NetworkMode::kQuarantine: {
      const auto fix = toFix(unmet);
      const policy::Text what =
          unmet.empty() ? policy::Text{"", ""}
                        : policy::Text{"\n修正が必要な項目:" + fix.ja, "\nTo be fixed:" + fix.en};
      return {
          {"この端末は検疫中です", "This PC is in quarantine"},
          {"情報セキュリティポリシーの要件を満たしていないため、ネットワーク接続を制限しました"
           "（更新サーバ等への接続のみ可能です）。理由: " +
               sentence(d.reason.ja, "。") + "修正されると自動的に接続が回復します。ご不明な点は " +
               ask.ja + " にお問い合わせください。" + what.ja,
           "Network access is limited because this PC does not meet the information security "
           "policy (only update servers and the like can be reached). Reason: " +
               sentence(d.reason.en, ".") +
               " Access returns by itself once it is fixed. If in doubt, contact " + ask.en + "." +
               what.en}};
    }
    case policy::NetworkMode::kIsolated:
      return {
          {"この端末はネットワークから隔離されています", "This PC is isolated from the network"},
          {"情報セキュリティインシデント対応のため、この端末をネットワークから隔離しました。"
           "電源を切らず、そのままの状態で " +
               ask.ja + " の指示に従ってください。" + sentence(d.reason.ja, "。"),
           "This PC has been cut off from the network while a security incident is handled. "
           "Do not turn it off; leave it as it is and follow the instructions of " +
               ask.en + ". " + sentence(d.reason.en, ".")}};
  }
  return {};
}

}  // namespace mamori::agent
