#include "staff_notice.hpp"

#include <Poco/Logger.h>

#include <system_error>

namespace mamori::agent {

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
