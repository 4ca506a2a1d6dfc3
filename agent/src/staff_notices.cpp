#include "staff_notices.hpp"

#include "mamori/policy/requirement.hpp"

namespace mamori::agent {
namespace {

using protocol::UsbAction;

std::string deviceName(const policy::UsbDevice& d) {
  std::string name;
  for (const auto* part : {&d.manufacturer, &d.product}) {
    if (!part->empty()) name += (name.empty() ? "" : " ") + *part;
  }
  return (name.empty() ? "" : name + " ") + "(" + d.vidPid() + ")";
}

// Why, in the staff's words rather than the rule id.
policy::Text reason(const protocol::UsbDecisionEvent& e) {
  if (!e.error.empty()) {
    return {"使用許可の設定に失敗したため、使用できません。",
            "It could not be set up as allowed, so it cannot be used."};
  }
  if (e.rule == "usb.block-all") {
    return {"この端末の区分では、USB 記録媒体は登録済みのものも使用できません。",
            "In this PC's network segment no USB storage may be used, registered or not."};
  }
  if (e.rule == "usb.unclassified") {
    return {"機器の種類を確認できないため、使用できません。",
            "What kind of device it is cannot be determined, so it cannot be used."};
  }
  if (e.action == UsbAction::kPartlyAllowed) {
    return {"記録媒体の機能は使用できません（キーボード等の機能は使用できます）。",
            "Its storage function is blocked (its keyboard or other functions work)."};
  }
  return {
      "登録されていない記録媒体は使用できません（媒体管理台帳に登録された媒体のみ使用できます）。",
      "Unregistered storage media cannot be used (only media in the city's register may "
      "be used)."};
}

}  // namespace

std::optional<StaffNotice> usbNotice(const protocol::UsbDecisionEvent& event,
                                     const policy::Text& contact) {
  if (event.action == UsbAction::kAllowed && event.error.empty()) return std::nullopt;
  const auto name = deviceName(event.device);
  const auto why = reason(event);
  const policy::Text ask =
      contact.empty() ? policy::Text{"情報システム担当者", "the information system administrator"}
                      : contact;
  return StaffNotice{{"USB 機器の使用を制限しました", "A USB device was blocked"},
                     {name + " は、情報セキュリティポリシーにより使用を制限しました。" + why.ja +
                          " 業務で必要な場合は " + ask.ja + " にお問い合わせください。",
                      name + " was blocked under the information security policy. " + why.en +
                          " If you need it for your work, contact " + ask.en + "."}};
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

std::vector<std::string> unmetRequirements(const boost::json::object& verdict) {
  std::vector<std::string> ids;
  const auto* findings = verdict.if_contains("findings");
  if (findings == nullptr || !findings->is_array()) return ids;
  for (const auto& value : findings->as_array()) {
    const auto* f = value.if_object();
    if (f == nullptr) continue;
    const auto* id = f->if_contains("id");
    const auto* status = f->if_contains("status");
    if (id && id->is_string() && status && (*status == "fail" || *status == "unknown")) {
      ids.emplace_back(id->as_string());
    }
  }
  return ids;
}

}  // namespace mamori::agent
