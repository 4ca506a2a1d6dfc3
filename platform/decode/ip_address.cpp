#include "ip_address.hpp"

#include <cctype>

namespace mamori::platform {

bool isIpv4Address(std::string_view s) {
  int parts = 0;
  std::size_t at = 0;
  while (true) {
    const auto dot = s.find('.', at);
    const auto part = s.substr(at, dot == std::string_view::npos ? dot : dot - at);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    int value = 0;
    for (const char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    at = dot + 1;
  }
  return parts == 4;
}

namespace {

// `2001:db8:0:1`: colon-separated groups of 1-4 hex digits, the last possibly an IPv4 address
// (when `ipv4_last`); how many 16-bit groups they make, or -1. Empty text is no groups.
int groupsIn(std::string_view side, bool ipv4_last) {
  if (side.empty()) return 0;
  int groups = 0;
  std::size_t at = 0;
  while (true) {
    const auto colon = side.find(':', at);
    const auto group = side.substr(at, colon == std::string_view::npos ? colon : colon - at);
    if (colon == std::string_view::npos && ipv4_last && group.find('.') != std::string_view::npos) {
      return isIpv4Address(group) ? groups + 2 : -1;
    }
    if (group.empty() || group.size() > 4) return -1;
    for (const char c : group) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return -1;
    }
    ++groups;
    if (colon == std::string_view::npos) return groups;
    at = colon + 1;
  }
}

}  // namespace

bool isIpv6Address(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  const auto gap = s.find("::");
  if (gap == std::string_view::npos) return groupsIn(s, true) == 8;
  if (s.find("::", gap + 1) != std::string_view::npos) return false;
  const int head = groupsIn(s.substr(0, gap), false);
  const int tail = groupsIn(s.substr(gap + 2), true);
  // `::` stands for at least one group of zeros.
  return head >= 0 && tail >= 0 && head + tail <= 7;
}

}  // namespace mamori::platform
