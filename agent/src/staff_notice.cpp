#include "staff_notice.hpp"

#include <Poco/Logger.h>

#include <system_error>

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

void StaffNotifier::notify(const StaffNotice& notice,
                           const std::optional<platform::LoginSession>& console) {
  Poco::Logger::get("mamori.notice")
      .warning(notice.title.ja + ": " + notice.body.ja + " / " + notice.title.en + ": " +
               notice.body.en);
  if (console && console->graphical()) showOnDesktop(notice, *console);
}

// A service cannot draw on a desktop itself: notify-send runs as the user, on the session bus
// logind gave that user. Without those programs the journal line above is the notice.
void StaffNotifier::showOnDesktop(const StaffNotice& notice, const platform::LoginSession& s) {
  const auto bus = "/run/user/" + std::to_string(s.uid) + "/bus";
  std::error_code ec;
  if (!std::filesystem::exists(root_ / bus.substr(1), ec)) return;
  const auto shown = commands_.run(
      {"/usr/sbin/runuser", "-u", s.user, "--", "/usr/bin/env",
       "DBUS_SESSION_BUS_ADDRESS=unix:path=" + bus, "/usr/bin/notify-send", "--urgency=critical",
       "--app-name=mamori", notice.title.in(lang_), notice.body.in(lang_)},
      std::chrono::seconds(5));
  if (!shown || shown->exit_code != 0) {
    Poco::Logger::get("mamori.notice")
        .information("desktop notification not shown to " + s.user + ": " +
                     (shown ? "notify-send exited with " + std::to_string(shown->exit_code)
                            : shown.error()));
  }
}

}  // namespace mamori::agent
