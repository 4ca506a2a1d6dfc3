#include "mamori/platform/dpkg_status.hpp"

#include <algorithm>
#include <string>
#include <tuple>

#include "text_lines.hpp"

namespace mamori::platform {
namespace {

using textscan::nextLine;
using textscan::trim;

// `YYYY-MM-DD HH:MM:SS` (one or more spaces between date and time).
std::optional<policy::TimePoint> parseLogTime(std::string_view date, std::string_view time) {
  const auto t = policy::parseTimestamp(std::string(date) + "T" + std::string(time));
  return t ? std::optional(*t) : std::nullopt;
}

// `want flag status`: the third word says whether the package's files are on disk. Unpacked but
// not yet configured, or waiting for triggers, they are: their versions matter for PATCH-1.
// half-installed (a failed unpack), config-files and not-installed leave no program behind.
bool filesPresent(std::string_view status) {
  const auto state = status.substr(status.rfind(' ') + 1);
  return state == "installed" || state == "unpacked" || state == "half-configured" ||
         state == "triggers-awaited" || state == "triggers-pending";
}

}  // namespace

std::vector<policy::InstalledPackage> parseDpkgStatus(std::string_view text) {
  std::vector<policy::InstalledPackage> packages;
  policy::InstalledPackage current;
  bool installed = false;
  const auto flush = [&] {
    if (installed && !current.name.empty() && !current.version.empty()) {
      packages.push_back(std::move(current));
    }
    current = {};
    installed = false;
  };
  for (std::size_t pos = 0; pos < text.size();) {
    const auto line = nextLine(text, pos);
    if (trim(line).empty()) {
      flush();
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') continue;  // continuation of a field
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto field = line.substr(0, colon);
    const auto value = trim(line.substr(colon + 1));
    if (field == "Package") {
      current.name = value;
    } else if (field == "Version") {
      current.version = value;
    } else if (field == "Architecture") {
      current.architecture = value;
    } else if (field == "Status") {
      installed = filesPresent(value);
    }
  }
  flush();
  std::ranges::sort(packages, {}, [](const policy::InstalledPackage& p) {
    return std::tie(p.name, p.architecture);
  });
  return packages;
}

std::optional<policy::TimePoint> lastChangeInDpkgLog(std::string_view text) {
  // Newest entries are at the end: scan backwards and stop at the first change.
  auto end = text.size();
  while (end > 0) {
    const auto start = text.rfind('\n', end - 1);
    const auto line_start = start == std::string_view::npos ? 0 : start + 1;
    const auto line = text.substr(line_start, end - line_start);
    end = start == std::string_view::npos ? 0 : start;
    // `2026-11-20 10:15:01 upgrade openssl:amd64 3.0.11-1 3.0.15-1`
    if (line.size() < 20 || line[4] != '-' || line[10] != ' ') continue;
    const auto action_start = 20;
    const auto action = line.substr(action_start, line.find(' ', action_start) - action_start);
    if (action == "install" || action == "upgrade" || action == "remove" || action == "purge") {
      if (auto t = parseLogTime(line.substr(0, 10), line.substr(11, 8))) return t;
    }
  }
  return std::nullopt;
}

std::optional<policy::TimePoint> lastChangeInAptHistory(std::string_view text) {
  std::optional<policy::TimePoint> last;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto line = nextLine(text, pos);
    if (!line.starts_with("End-Date:")) continue;
    const auto value = trim(line.substr(9));
    const auto space = value.find(' ');
    if (space == std::string_view::npos) continue;
    if (auto t = parseLogTime(value.substr(0, space), trim(value.substr(space)))) {
      last = std::max(last.value_or(*t), *t);
    }
  }
  return last;
}

}  // namespace mamori::platform
