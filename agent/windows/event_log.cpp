#include "event_log.hpp"

#include "wide_string.hpp"

namespace mamori::agent::windows {

void logEvent(WORD type, const std::string& text) {
  const HANDLE source = RegisterEventSourceW(nullptr, L"mamori");
  if (!source) return;
  const auto wide = platform::windows::widen(text);
  const wchar_t* strings[] = {wide.c_str()};
  ReportEventW(source, type, 0, 1, nullptr, 1, 0, strings, nullptr);
  DeregisterEventSource(source);
}

}  // namespace mamori::agent::windows
