#include "mamori/platform/uevent.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace mamori::platform {
namespace {

bool isDigits(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) { return c >= '0' && c <= '9'; });
}

// The variables this decoder keeps, and where each goes. Others (PRODUCT, TYPE, INTERFACE,
// MAJOR, ...) are skipped: the enforcer reads what it needs from sysfs, which cannot be stale.
std::string* field(Uevent& e, std::string_view key) {
  if (key == "ACTION") return &e.action;
  if (key == "DEVPATH") return &e.devpath;
  if (key == "SUBSYSTEM") return &e.subsystem;
  if (key == "DEVTYPE") return &e.devtype;
  if (key == "DEVNAME") return &e.devname;
  return nullptr;
}

// Splits `KEY=VALUE` entries separated by NUL into `e`; `seqnum` receives SEQNUM's text.
std::expected<void, std::string> readVariables(std::string_view rest, Uevent& e,
                                               std::string_view& seqnum) {
  bool seen_seqnum = false;
  while (!rest.empty()) {
    const auto end = rest.find('\0');
    const auto entry = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (entry.empty()) {
      // Only trailing padding may be empty.
      if (std::ranges::all_of(rest, [](char c) { return c == '\0'; })) break;
      return std::unexpected("empty variable in the middle of the message");
    }
    const auto eq = entry.find('=');
    if (eq == 0 || eq == std::string_view::npos) {
      return std::unexpected("variable without a name or a '=': \"" + std::string(entry) + "\"");
    }
    const auto key = entry.substr(0, eq);
    const auto value = entry.substr(eq + 1);
    bool duplicate = false;
    if (key == "SEQNUM") {
      duplicate = std::exchange(seen_seqnum, true);
      seqnum = value;
    } else if (auto* target = field(e, key)) {
      duplicate = !target->empty();
      *target = value;
    }
    if (duplicate) return std::unexpected(std::string(key) + " appears twice");
  }
  if (!seen_seqnum) return std::unexpected("no SEQNUM");
  return {};
}

}  // namespace

std::expected<Uevent, std::string> parseUevent(std::string_view datagram) {
  const auto header_end = datagram.find('\0');
  const auto header = datagram.substr(0, header_end);
  if (header == "libudev") return std::unexpected("a udev message, not the kernel's");
  const auto at = header.find('@');
  if (header_end == std::string_view::npos || at == std::string_view::npos) {
    return std::unexpected("no ACTION@DEVPATH header");
  }
  Uevent e;
  std::string_view seqnum;
  if (auto read = readVariables(datagram.substr(header_end + 1), e, seqnum); !read) {
    return std::unexpected(read.error());
  }
  if (e.action.empty() || e.devpath.empty() || e.subsystem.empty()) {
    return std::unexpected("ACTION, DEVPATH or SUBSYSTEM missing");
  }
  if (header.substr(0, at) != e.action || header.substr(at + 1) != e.devpath) {
    return std::unexpected("header \"" + std::string(header) + "\" disagrees with ACTION@DEVPATH");
  }
  const auto [ptr, ec] = std::from_chars(seqnum.data(), seqnum.data() + seqnum.size(), e.seqnum);
  if (!isDigits(seqnum) || ec != std::errc{} || ptr != seqnum.data() + seqnum.size()) {
    return std::unexpected("SEQNUM \"" + std::string(seqnum) + "\" is not a number");
  }
  return e;
}

std::string_view kernelName(std::string_view devpath) {
  const auto slash = devpath.rfind('/');
  return slash == std::string_view::npos ? devpath : devpath.substr(slash + 1);
}

bool isRootHubName(std::string_view name) {
  return name.starts_with("usb") && isDigits(name.substr(3));
}

bool isUsbDeviceName(std::string_view name) {
  const auto dash = name.find('-');
  if (dash == std::string_view::npos || !isDigits(name.substr(0, dash))) return false;
  auto ports = name.substr(dash + 1);
  // Port numbers joined by dots: `1`, `1.4`, `1.4.3`.
  while (true) {
    const auto dot = ports.find('.');
    if (!isDigits(ports.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    ports.remove_prefix(dot + 1);
  }
}

std::optional<std::string> usbDeviceOfDevpath(std::string_view devpath) {
  std::optional<std::string> device;
  bool below_root_hub = false;
  while (!devpath.empty()) {
    const auto slash = devpath.find('/');
    const auto component = devpath.substr(0, slash);
    devpath = slash == std::string_view::npos ? std::string_view{} : devpath.substr(slash + 1);
    below_root_hub = below_root_hub || isRootHubName(component);
    if (below_root_hub && isUsbDeviceName(component)) device = std::string(component);
  }
  return device;
}

}  // namespace mamori::platform
