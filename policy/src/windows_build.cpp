#include "windows_build.hpp"

#include <charconv>

namespace mamori::policy {

std::optional<WindowsBuild> parseWindowsBuild(std::string_view text, int parts) {
  WindowsBuild build{};
  const char* p = text.data();
  const char* const end = text.data() + text.size();
  for (int i = 0; i < parts; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    // Digits only: from_chars alone would take a sign or stop at a letter.
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    const auto [next, ec] = std::from_chars(p, end, build[static_cast<std::size_t>(i)]);
    if (ec != std::errc{}) return std::nullopt;
    p = next;
  }
  if (p != end) return std::nullopt;
  return build;
}

}  // namespace mamori::policy
