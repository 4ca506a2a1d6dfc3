// DeviceIdentity on Windows: the values the collector pins at enrollment (第86条).

// winsock2 before windows.h before iphlpapi, as iphlpapi requires: not sorted.
// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <iphlpapi.h>
// clang-format on

#include <algorithm>
#include <cstdio>
#include <vector>

#include "../decode/text_lines.hpp"
#include "mamori/platform/smbios.hpp"
#include "system_readers.hpp"
#include "wide_string.hpp"

namespace mamori::platform::windows {
namespace {

std::string hostName() {
  wchar_t name[256];
  DWORD size = std::size(name);
  if (!GetComputerNameExW(ComputerNamePhysicalDnsHostname, name, &size)) return {};
  return narrow({name, size});
}

std::string machineGuid() {
  auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, R"(SOFTWARE\Microsoft\Cryptography)");
  if (!key) return {};
  return textscan::asciiLower(key->string("MachineGuid").value_or(""));
}

// GetSystemFirmwareTable('RSMB') returns RawSMBIOSData: a 8-byte header with the version, then
// the table.
std::string firmwareUuid() {
  constexpr DWORD kRsmb = 'R' << 24 | 'S' << 16 | 'M' << 8 | 'B';
  const UINT size = GetSystemFirmwareTable(kRsmb, 0, nullptr, 0);
  if (size < 8) return {};
  std::vector<std::uint8_t> raw(size);
  if (GetSystemFirmwareTable(kRsmb, 0, raw.data(), size) != size) return {};
  const int major = raw[1], minor = raw[2];
  const std::uint32_t length =
      raw[4] | raw[5] << 8 | raw[6] << 16 | static_cast<std::uint32_t>(raw[7]) << 24;
  if (length > size - 8) return {};
  return smbiosSystemUuid(std::span(raw).subspan(8, length), major, minor).value_or("");
}

// Ethernet and Wi-Fi adapters with a 6-byte address; tunnels, loopback and the like have none
// or another type.
std::vector<std::string> physicalMacs() {
  ULONG size = 16 * 1024;
  std::vector<std::uint8_t> buffer;
  ULONG rc = ERROR_BUFFER_OVERFLOW;
  for (int attempt = 0; attempt < 3 && rc == ERROR_BUFFER_OVERFLOW; ++attempt) {
    buffer.resize(size);
    rc = GetAdaptersAddresses(AF_UNSPEC,
                              GAA_FLAG_SKIP_UNICAST | GAA_FLAG_SKIP_ANYCAST |
                                  GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER,
                              nullptr, reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()),
                              &size);
  }
  std::vector<std::string> macs;
  if (rc != NO_ERROR) return macs;
  for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()); a; a = a->Next) {
    if ((a->IfType != IF_TYPE_ETHERNET_CSMACD && a->IfType != IF_TYPE_IEEE80211) ||
        a->PhysicalAddressLength != 6) {
      continue;
    }
    char mac[18];
    const auto* b = a->PhysicalAddress;
    std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                  b[5]);
    macs.emplace_back(mac);
  }
  std::ranges::sort(macs);
  macs.erase(std::unique(macs.begin(), macs.end()), macs.end());
  return macs;
}

}  // namespace

policy::DeviceIdentity readIdentity() {
  return {hostName(), machineGuid(), firmwareUuid(), physicalMacs()};
}

}  // namespace mamori::platform::windows
