#include "device_install_policy.hpp"

#include <windows.h>

#include "registry.hpp"

namespace mamori::platform::windows {
namespace {

constexpr std::string_view kDenyList = "DenyDeviceIDs";
constexpr std::string_view kAllowList = "AllowInstanceIDs";

// A policy list: the switch `name` (REG_DWORD 1) and the values "1", "2", ... of subkey `name`.
std::vector<std::string> readList(const RegistryKey& restrictions, std::string_view name) {
  std::vector<std::string> items;
  if (restrictions.dword(name) != 1u) return items;
  const auto list = RegistryKey::open(
      HKEY_LOCAL_MACHINE, std::string(kDeviceInstallRestrictionsKey) + "\\" + std::string(name));
  if (!list) return items;
  while (const auto item = list->string(std::to_string(items.size() + 1))) {
    items.push_back(*item);
  }
  return items;
}

std::expected<void, std::string> writeList(const WritableRegistryKey& restrictions,
                                           std::string_view name,
                                           const std::vector<std::string>& items) {
  const auto path = std::string(kDeviceInstallRestrictionsKey) + "\\" + std::string(name);
  auto list = WritableRegistryKey::create(HKEY_LOCAL_MACHINE, path);
  if (!list) return std::unexpected(list.error());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto ok = list->setString(std::to_string(i + 1), items[i]); !ok) return ok;
  }
  // Entries beyond the new end, left from a longer list.
  for (std::size_t i = items.size() + 1;; ++i) {
    const auto entry = std::to_string(i);
    if (!list->has(entry)) break;
    if (auto ok = list->remove(entry); !ok) return ok;
  }
  return restrictions.setDword(name, items.empty() ? 0 : 1);
}

}  // namespace

std::expected<DeviceInstallRestrictions, std::string> readDeviceInstallRestrictions() {
  DeviceInstallRestrictions r;
  const auto key = RegistryKey::open(HKEY_LOCAL_MACHINE, kDeviceInstallRestrictionsKey);
  if (!key) return r;  // no restrictions at all
  r.deny_device_ids = readList(*key, kDenyList);
  r.allow_instance_ids = readList(*key, kAllowList);
  return r;
}

std::expected<void, std::string> writeDeviceInstallRestrictions(
    const DeviceInstallRestrictions& restrictions) {
  auto key = WritableRegistryKey::create(HKEY_LOCAL_MACHINE, kDeviceInstallRestrictionsKey);
  if (!key) return std::unexpected(key.error());
  // The allow list first: a medium taken off the ledger is no longer allowed by the time the
  // deny list is rewritten.
  if (auto ok = key->setDword("AllowDenyLayered", 1); !ok) return ok;
  if (auto ok = writeList(*key, kAllowList, restrictions.allow_instance_ids); !ok) return ok;
  if (auto ok = key->setDword("DenyDeviceIDsRetroactive", 0); !ok) return ok;
  return writeList(*key, kDenyList, restrictions.deny_device_ids);
}

}  // namespace mamori::platform::windows
