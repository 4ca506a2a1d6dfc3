#pragma once

// Small text helpers the decoders share: configuration files are read line by line, trimmed,
// and compared without regard to ASCII case.

#include <algorithm>
#include <string>
#include <string_view>

namespace mamori::platform::textscan {

/// The line starting at `pos`, without its newline; advances `pos` past it.
inline std::string_view nextLine(std::string_view text, std::size_t& pos) {
  const auto end = text.find('\n', pos);
  const auto line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
  pos = end == std::string_view::npos ? text.size() : end + 1;
  return line;
}

/// `s` without leading and trailing `blanks`.
inline std::string_view trim(std::string_view s, std::string_view blanks = " \t\r") {
  const auto first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

inline char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

inline std::string asciiLower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](char c) { return asciiLower(c); });
  return out;
}

inline bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return asciiLower(x) == asciiLower(y); });
}

}  // namespace mamori::platform::textscan
