#pragma once

// `mamori-agent.exe enroll` and `mamori-agent.exe report`, by hand: what the service does by
// itself (collector_session.hpp), for an administrator at the PC.

#include <ostream>
#include <string>
#include <vector>

namespace mamori::agent::windows {

/// `enroll [--collector URL] --ca FILE [--token TOKEN] [--force] [--state-dir DIR]
/// [--lang ja|en]`. The collector URL defaults to the MSI's CollectorUrl, the CA to its
/// CollectorCa, the token to the one the service took into custody. The service's own folder
/// only as LocalSystem (the key is kept per account). Exit 0 enrolled, 2 not.
int runEnroll(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// `report [--state-dir DIR] [--lang ja|en]`: checks this PC and sends the report; prints the
/// collector's admission. Exit 0 sent, 2 not.
int runReport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace mamori::agent::windows
