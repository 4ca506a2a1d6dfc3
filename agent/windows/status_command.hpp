#pragma once

// `mamori-agent.exe status [--state-dir DIR] [--json] [--lang ja|en]`: what the service knows,
// for the help desk at the PC: enrollment, the collector's last admission, the firewall's mode
// and why, the audit log. The Linux agent's `status` says the same of agent.db.

#include <ostream>
#include <string>
#include <vector>

namespace mamori::agent::windows {

/// Exit 0; 2 when the state folder cannot be read.
int runStatus(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mamori::agent::windows
