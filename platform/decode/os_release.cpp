#include "mamori/platform/os_release.hpp"

#include <string>

namespace mamori::platform {
namespace {

// Shell-like unquoting as os-release(5) allows: "..." or '...', backslash escapes in "...".
std::string unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    const char quote = v.front();
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (quote == '"' && v[i] == '\\' && i + 1 < v.size()) ++i;
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

policy::OsRelease parseOsRelease(std::string_view text) {
  policy::OsRelease os;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.ends_with('\r')) line.remove_suffix(1);
    const auto eq = line.find('=');
    if (line.empty() || line.front() == '#' || eq == std::string_view::npos) continue;
    const auto key = line.substr(0, eq);
    auto value = unquote(line.substr(eq + 1));
    if (key == "ID")
      os.id = std::move(value);
    else if (key == "VERSION_ID")
      os.version_id = std::move(value);
    else if (key == "PRETTY_NAME")
      os.pretty_name = std::move(value);
    else if (key == "VERSION_CODENAME")
      os.version_codename = std::move(value);
  }
  return os;
}

}  // namespace mamori::platform
