#pragma once

// Windows speaks UTF-16; mamori's facts are UTF-8. The conversions live here, once.

#include <string>
#include <string_view>

namespace mamori::platform::windows {

std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view utf16);

}  // namespace mamori::platform::windows
