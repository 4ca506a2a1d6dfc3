#pragma once

#include <iosfwd>
#include <span>

namespace mamori::collector {

/// `mamori-collector <command> [options]`:
///   serve --config FILE                       run the HTTPS collector (systemd-friendly)
///   token create|list|revoke                  enrollment tokens (per department and segment)
///   device list|show|revoke                   enrolled PCs and their posture
///   exception add|list|revoke                 例外措置 granted to one PC, with approver and expiry
///   service-cert --name radius --out-dir DIR  a client certificate for FreeRADIUS's rlm_rest
/// Admin commands work on the database named in the same config file. Returns the exit code.
int runCollectorCli(std::span<const char* const> args, std::ostream& out, std::ostream& err);

}  // namespace mamori::collector
