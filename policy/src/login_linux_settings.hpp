#pragma once

// MFA-3 and MFA-5 on Linux: display-manager auto-login and GNOME's screen lock settings.
// (MFA-1, MFA-2 and MFA-4 judge the PAM stacks: check_login_pam.cpp.)

#include "checks.hpp"

namespace mamori::policy::checks::linux_login {

Finding autoLogin(const Context& c, const LinuxLogin& login);   // MFA-3
Finding screenLock(const Context& c, const LinuxLogin& login);  // MFA-5

}  // namespace mamori::policy::checks::linux_login
