#include "windows_error.hpp"

#include <cstdio>

#include "wide_string.hpp"

namespace mamori::platform::windows {

std::string describeHresult(HRESULT hr) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%08lX", static_cast<unsigned long>(hr));
  wchar_t* text = nullptr;
  const DWORD n = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, static_cast<DWORD>(hr), 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string out = code;
  if (n && text) {
    std::wstring_view message(text, n);
    while (!message.empty() && (message.back() == L'\n' || message.back() == L'\r' ||
                                message.back() == L' ' || message.back() == L'.')) {
      message.remove_suffix(1);
    }
    out += " (" + narrow(message) + ")";
  }
  if (text) LocalFree(text);
  return out;
}

std::string describeWin32Error(DWORD code) { return describeHresult(HRESULT_FROM_WIN32(code)); }

}  // namespace mamori::platform::windows
