#include <charconv>

#include "mamori/platform/console_session.hpp"
#include "text_lines.hpp"

namespace mamori::platform {

std::optional<LoginSession> parseLoginSession(std::string_view id, std::string_view text) {
  LoginSession s;
  s.id = std::string(id);
  bool has_uid = false;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto line = textscan::nextLine(text, pos);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || line.starts_with('#')) continue;
    const auto key = line.substr(0, eq);
    const auto value = line.substr(eq + 1);
    if (key == "USER") {
      s.user = std::string(value);
    } else if (key == "UID") {
      has_uid = std::from_chars(value.data(), value.data() + value.size(), s.uid).ec == std::errc{};
    } else if (key == "SEAT") {
      s.seat = std::string(value);
    } else if (key == "TYPE") {
      s.type = std::string(value);
    } else if (key == "ACTIVE") {
      s.active = value == "1";
    } else if (key == "REMOTE") {
      s.remote = value == "1";
    }
  }
  if (s.user.empty() || !has_uid) return std::nullopt;
  return s;
}

}  // namespace mamori::platform
