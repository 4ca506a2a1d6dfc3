#pragma once

// MFA-1, MFA-2 and MFA-4 on Linux: what the PAM stacks of the login services really demand.

#include "checks.hpp"

namespace mamori::policy::checks::linux_login {

Finding factors(const Context& c, const LinuxLogin& login);          // MFA-1
Finding factorKinds(const Context& c, const LinuxLogin& login);      // MFA-2
Finding attemptsLimited(const Context& c, const LinuxLogin& login);  // MFA-4

}  // namespace mamori::policy::checks::linux_login
