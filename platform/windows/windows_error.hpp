#pragma once

// Windows error codes as one line for a reason or a log: the code and Windows' own message.

#include <windows.h>

#include <string>

namespace mamori::platform::windows {

/// `0x8004100E` and, where Windows knows one, its message.
std::string describeHresult(HRESULT hr);

/// A Win32 error (GetLastError(), a registry function's result), the same way.
std::string describeWin32Error(DWORD code);

}  // namespace mamori::platform::windows
