#pragma once

// Literal IP addresses, checked without the OS (inet_pton differs between POSIX and Windows):
// what a firewall rule may hold.

#include <string_view>

namespace mamori::platform {

/// `192.0.2.10`: four decimal parts 0-255, no leading zeros.
bool isIpv4Address(std::string_view s);
/// `2001:db8::10`, `::1`, `::ffff:192.0.2.10`: RFC 4291 text form, no zone index.
bool isIpv6Address(std::string_view s);

}  // namespace mamori::platform
