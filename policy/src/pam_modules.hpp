#pragma once

// What each PAM module proves when it succeeds (知識・所持・存在), which options make a success
// prove nothing, and which return codes it can give.

#include "mamori/policy/login.hpp"
#include "mamori/policy/pam_analysis.hpp"

namespace mamori::policy::checks::linux_login {

/// The behaviour of `h`'s module on this PC. Modules mamori does not know prove nothing and may
/// return anything: a module cannot become a factor by being unknown.
pam::ModuleModel moduleModel(const pam::Handler& h, const LinuxLogin& login);

}  // namespace mamori::policy::checks::linux_login
