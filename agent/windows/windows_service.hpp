#pragma once

// `mamori-agent.exe service`: the Windows service the MSI registers (MamoriAgent, LocalSystem,
// automatic start). Every interval it checks the PC, writes the result to
// %ProgramData%\mamori\last-check.json and one line to the Application event log.

namespace mamori::agent::windows {

inline constexpr const wchar_t* kServiceName = L"MamoriAgent";

/// Hands the thread to the service control manager until the service stops. Returns the exit
/// code: 2 with a message on stderr when not started by the SCM.
int runService();

}  // namespace mamori::agent::windows
