#pragma once

#include <string>
#include <vector>

#include "mamori/policy/facts.hpp"
#include "root_fs.hpp"

namespace mamori::platform::linux {

/// The login configuration under the root: the PAM auth stacks of `services` that exist in
/// /etc/pam.d, display-manager auto-login, faillock.conf, GNOME's screen lock (dconf), and the
/// accounts with an empty password. Always known: a file that exists but cannot be read makes
/// its own fact unknown, with the file and the reason. Never throws for what the files hold.
policy::Observed<policy::LoginFacts> readLoginFacts(const RootFs& fs,
                                                    const std::vector<std::string>& services);

}  // namespace mamori::platform::linux
