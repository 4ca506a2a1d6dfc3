#include "registry_values.hpp"

#include <charconv>

namespace mamori::policy::checks::windows {

std::string_view trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  return first == s.npos ? std::string_view{}
                         : s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// Screen saver policies are REG_SZ digits ("600"); surrounding blanks are tolerated.
std::optional<std::uint64_t> parseNumber(std::string_view s) {
  s = trimmed(s);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// A value Windows would not have written: its reading is unknown.
Text quoted(std::string_view name, const std::string& raw, bool flag) {
  const std::string n{name};
  return {
      n + " の値 \"" + raw + (flag ? "\" は 0 でも 1 でもありません" : "\" は数値ではありません"),
      n + " = \"" + raw + (flag ? "\" is neither 0 nor 1" : "\" is not a number")};
}

}  // namespace mamori::policy::checks::windows
