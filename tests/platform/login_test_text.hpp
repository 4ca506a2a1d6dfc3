#pragma once

// What the Linux login tests share: auto-logins as one line each, GNOME's three lock lines.

#include <string>
#include <vector>

#include "mamori/policy/login.hpp"

namespace mamori::platform::testing_login {

/// `gdm3 /etc/gdm3/daemon.conf kiosk timed`, one line per auto-login.
inline std::string describe(const std::vector<policy::AutoLogin>& logins) {
  std::string out;
  for (const auto& a : logins) {
    out += a.display_manager + " " + a.file + " " + (a.user.empty() ? "-" : a.user) +
           (a.timed ? " timed" : "") + "\n";
  }
  return out;
}

/// A dconf locks file for idle-delay, lock-enabled and lock-delay.
inline constexpr const char* kLocks =
    "/org/gnome/desktop/session/idle-delay\n"
    "/org/gnome/desktop/screensaver/lock-enabled\n"
    "/org/gnome/desktop/screensaver/lock-delay\n";

}  // namespace mamori::platform::testing_login
