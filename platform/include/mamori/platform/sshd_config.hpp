#pragma once

// OpenSSH's sshd_config, as far as authentication goes: which methods a login needs, for every
// connection and for each Match block. Pure: the probe reads the files.

#include <functional>
#include <string_view>
#include <vector>

#include "mamori/platform/login_settings.hpp"
#include "mamori/policy/login.hpp"

namespace mamori::platform {

/// The files an `Include` pattern names, in the order sshd reads them (glob expanded and
/// sorted; relative patterns are under /etc/ssh).
using SshdIncludes = std::function<std::vector<TextFile>(std::string_view pattern)>;

/// The global view first, then one view per Match block that sets an authentication keyword
/// (the global settings with the block's on top). sshd keeps the first value it reads for a
/// keyword, in the global section and within each Match block; keywords are case-insensitive;
/// `ChallengeResponseAuthentication` is the old name of `KbdInteractiveAuthentication`.
std::vector<policy::SshdSettings> parseSshdConfig(const TextFile& main,
                                                  const SshdIncludes& includes);

}  // namespace mamori::platform
