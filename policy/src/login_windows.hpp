#pragma once

// MFA-1..MFA-5 on Windows, judged from registry values and the lockout policy (WindowsLogin).
// check_login.cpp calls these when the facts come from a Windows PC.

#include "checks.hpp"

namespace mamori::policy::checks::windows {

Finding factors(const Context& c, const WindowsLogin& login);          // MFA-1
Finding factorKinds(const Context& c, const WindowsLogin& login);      // MFA-2
Finding autoLogin(const Context& c, const WindowsLogin& login);        // MFA-3
Finding attemptsLimited(const Context& c, const WindowsLogin& login);  // MFA-4
Finding screenLock(const Context& c, const WindowsLogin& login);       // MFA-5

}  // namespace mamori::policy::checks::windows
