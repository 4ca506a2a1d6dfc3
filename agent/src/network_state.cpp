// What the Linux agent keeps in agent.db about the collector's admission, and what it tells the
// staff member about its firewall.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mamori/policy/requirement.hpp"
#include "network_admission.hpp"

namespace mamori::agent {

namespace js = boost::json;

std::optional<policy::HeardAdmission> heardAdmission(LocalStore& store) {
  const auto saved = store.state("last_admission");
  const auto heard = store.state("last_admission_heard");
  if (!saved || !heard) return std::nullopt;
  const auto state = protocol::admissionStateFromJson(*saved);
  const auto at = policy::parseTimestamp(*heard);
  if (!state || !at) return std::nullopt;
  return heardOf(*state, *at);
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
