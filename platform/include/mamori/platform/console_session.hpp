#pragma once

// Who sits at the PC: the staff member an audit record names (第43条) and a notice goes to.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace mamori::platform {

/// A login session as systemd-logind records it in `/run/systemd/sessions/<id>`.
struct LoginSession {
  std::string id;
  std::string user;
  unsigned uid = 0;
  std::string seat;  ///< `seat0` for the local console; empty for remote and background ones
  std::string type;  ///< `x11`, `wayland`, `tty`, ...
  bool active = false;
  bool remote = false;

  /// A desktop a notification can be shown on.
  [[nodiscard]] bool graphical() const { return type == "x11" || type == "wayland"; }
};

/// Decodes one session file (`KEY=VALUE` lines). nullopt when it names no user.
std::optional<LoginSession> parseLoginSession(std::string_view id, std::string_view text);

/// The active session at the local console (seat0, not remote), if one is; a graphical one
/// wins over a text console. Read below `root` (`/` on a live system). Without logind (a
/// minimal system) nobody is known to be there.
std::optional<LoginSession> activeConsoleSession(const std::filesystem::path& root = "/");

}  // namespace mamori::platform
