#include "device_identity.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace mamori::platform::linux {
namespace {

// include/uapi/linux/if_arp.h ARPHRD_ETHER; include/linux/netdevice.h NET_ADDR_RANDOM.
constexpr std::string_view kTypeEthernet = "1";
constexpr std::string_view kAddressRandom = "1";

std::string lowerCase(std::string text) {
  std::ranges::transform(text, text.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool isHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// `pattern` spells the shape with 'x' for a hex digit: "xx:xx:xx:xx:xx:xx".
bool hasShape(std::string_view text, std::string_view pattern) {
  return text.size() == pattern.size() && std::ranges::equal(text, pattern, [](char c, char p) {
           return p == 'x' ? isHex(c) : c == p;
         });
}

bool onlyDigit(std::string_view text, char digit) {
  return std::ranges::all_of(text, [digit](char c) { return c == '-' || c == digit; });
}

// The link itself, even when it dangles (a fixture tree need not hold the device it names).
bool hasDeviceLink(const RootFs& fs, const std::string& interface) {
  std::error_code ec;
  const auto status =
      std::filesystem::symlink_status(fs.path("/sys/class/net/" + interface + "/device"), ec);
  return !ec && std::filesystem::exists(status);
}

// The interface's own permanent address; empty when it has none to give.
std::string permanentAddress(const RootFs& fs, const std::string& interface) {
  const std::string dir = "/sys/class/net/" + interface;
  if (fs.attribute(fs.path(dir + "/type")) != kTypeEthernet) return {};
  if (auto slave = fs.attribute(fs.path(dir + "/bonding_slave/perm_hwaddr")); !slave.empty()) {
    return lowerCase(std::move(slave));
  }
  if (fs.attribute(fs.path(dir + "/addr_assign_type")) == kAddressRandom) return {};
  return lowerCase(fs.attribute(fs.path(dir + "/address")));
}

}  // namespace

std::string readSmbiosUuid(const RootFs& fs) {
  auto uuid = lowerCase(fs.attribute(fs.path("/sys/class/dmi/id/product_uuid")));
  if (!hasShape(uuid, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")) return {};
  if (onlyDigit(uuid, '0') || onlyDigit(uuid, 'f')) return {};
  return uuid;
}

std::vector<std::string> readPhysicalMacs(const RootFs& fs) {
  std::vector<std::string> macs;
  for (const auto& interface : fs.list("/sys/class/net")) {
    if (!hasDeviceLink(fs, interface)) continue;
    auto mac = permanentAddress(fs, interface);
    if (hasShape(mac, "xx:xx:xx:xx:xx:xx") && mac != "00:00:00:00:00:00") {
      macs.push_back(std::move(mac));
    }
  }
  std::ranges::sort(macs);
  const auto [first, last] = std::ranges::unique(macs);
  macs.erase(first, last);
  return macs;
}

}  // namespace mamori::platform::linux
