#pragma once

// The staff member's notice on Windows: a message box in the session at the PC's console,
// which the service (in session 0, without a desktop of its own) asks Windows to show
// (WTSSendMessageW), without waiting for it to be read. Japanese first, then English: a city
// hall PC is used by staff of either language, and the service does not know who sits there.

#include <string>

#include "staff_notices.hpp"

namespace mamori::agent::windows {

/// The message box's title and text for `notice`.
struct NoticeText {
  std::wstring title;
  std::wstring text;
};
NoticeText noticeText(const StaffNotice& notice);

/// Shows `notice` in the active console session; false (and nothing shown) when nobody is at
/// the console or Windows refused. The Application log has the notice either way (the caller
/// writes it there).
bool showOnConsole(const StaffNotice& notice);

}  // namespace mamori::agent::windows
