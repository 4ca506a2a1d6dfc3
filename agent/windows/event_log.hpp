#pragma once

// The Windows Application log, source `mamori`, without a message DLL: Event Viewer shows the
// text as it is. Where the service's records go until the Windows agent reports to a collector.

#include <windows.h>

#include <string>

namespace mamori::agent::windows {

/// `type`: EVENTLOG_INFORMATION_TYPE, EVENTLOG_WARNING_TYPE or EVENTLOG_ERROR_TYPE.
void logEvent(WORD type, const std::string& text);

}  // namespace mamori::agent::windows
