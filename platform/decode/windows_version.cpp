#include "mamori/platform/windows_version.hpp"

#include <algorithm>
#include <charconv>

namespace mamori::platform {
namespace {

// Windows 11 kept "Windows 10" in ProductName; its builds start at 22000.
constexpr std::uint32_t kFirstWindows11Build = 22000;

std::optional<std::uint32_t> number(std::string_view s) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

std::expected<policy::OsRelease, std::string> windowsOsRelease(const WindowsVersionValues& v) {
  const auto build = number(v.build);
  if (!build) return std::unexpected("CurrentBuildNumber \"" + v.build + "\" is not a number");

  // Before Windows 10 only CurrentVersion (`6.3`) holds major and minor.
  auto major = v.major, minor = v.minor;
  if (!major || !minor) {
    const auto dot = v.current_version.find('.');
    if (dot == std::string::npos) return std::unexpected("no Windows major or minor version");
    major = number(std::string_view(v.current_version).substr(0, dot));
    minor = number(std::string_view(v.current_version).substr(dot + 1));
    if (!major || !minor) {
      return std::unexpected("CurrentVersion \"" + v.current_version + "\" is not a version");
    }
  }

  policy::OsRelease os;
  os.id = "windows";
  os.version_id = std::to_string(*major) + "." + std::to_string(*minor) + "." + v.build;
  os.build = os.version_id + "." + std::to_string(v.ubr.value_or(0));
  os.edition = v.edition_id;
  os.version_codename = v.display_version.empty() ? v.release_id : v.display_version;

  std::string name = v.product_name.empty() ? "Windows" : v.product_name;
  if (*build >= kFirstWindows11Build && name.starts_with("Windows 10")) {
    name.replace(0, 10, "Windows 11");
  }
  if (!os.version_codename.empty()) name += " " + os.version_codename;
  os.pretty_name = name + " (" + os.build + ")";
  return os;
}

}  // namespace mamori::platform
