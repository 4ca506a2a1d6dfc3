#include "desktop_notice.hpp"

// windows.h before wtsapi32.h: not sorted.
// clang-format off
#include <windows.h>
#include <wtsapi32.h>
// clang-format on

#include "wide_string.hpp"

namespace mamori::agent::windows {

NoticeText noticeText(const StaffNotice& notice) {
  using platform::windows::widen;
  return {widen(notice.title.ja + " / " + notice.title.en),
          widen(notice.body.ja) + L"\r\n\r\n" + widen(notice.body.en)};
}

bool showOnConsole(const StaffNotice& notice) {
  const DWORD session = WTSGetActiveConsoleSessionId();
  if (session == 0xFFFFFFFF) return false;  // nobody at the console
  auto text = noticeText(notice);
  DWORD response = 0;
  // Not waiting: the service's cycle must not hang on a message box nobody closes.
  return WTSSendMessageW(WTS_CURRENT_SERVER_HANDLE, session, text.title.data(),
                         static_cast<DWORD>(text.title.size() * sizeof(wchar_t)), text.text.data(),
                         static_cast<DWORD>(text.text.size() * sizeof(wchar_t)),
                         MB_OK | MB_ICONWARNING | MB_TOPMOST | MB_SETFOREGROUND, 0, &response,
                         FALSE) != FALSE;
}

}  // namespace mamori::agent::windows
