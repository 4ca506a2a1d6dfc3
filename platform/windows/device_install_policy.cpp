#include "device_install_policy.hpp"

#include <windows.h>

#include "registry.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

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

// A key opened for writing, closed when it goes.
class WritableKey {
 public:
  static std::expected<WritableKey, std::string> create(HKEY parent, std::string_view path,
                                                        std::string description) {
    HKEY key = nullptr;
    const LONG rc = RegCreateKeyExW(parent, widen(path).c_str(), 0, nullptr, 0,
                                    KEY_READ | KEY_WRITE | KEY_WOW64_64KEY, nullptr, &key, nullptr);
    if (rc != ERROR_SUCCESS) {
      return std::unexpected("cannot open " + description + ": " +
                             describeWin32Error(static_cast<DWORD>(rc)));
    }
    return WritableKey(key, std::move(description));
  }
  WritableKey(WritableKey&& other) noexcept
      : key_(std::exchange(other.key_, nullptr)), description_(std::move(other.description_)) {}
  WritableKey(const WritableKey&) = delete;
  ~WritableKey() {
    if (key_) RegCloseKey(key_);
  }

  [[nodiscard]] HKEY handle() const { return key_; }

  std::expected<void, std::string> setDword(std::string_view name, DWORD value) const {
    return check(RegSetValueExW(key_, widen(name).c_str(), 0, REG_DWORD,
                                reinterpret_cast<const BYTE*>(&value), sizeof value),
                 name);
  }
  std::expected<void, std::string> setString(std::string_view name, std::string_view value) const {
    const auto wide = widen(value);
    return check(RegSetValueExW(key_, widen(name).c_str(), 0, REG_SZ,
                                reinterpret_cast<const BYTE*>(wide.c_str()),
                                static_cast<DWORD>((wide.size() + 1) * sizeof(wchar_t))),
                 name);
  }
  /// Absent already is fine.
  std::expected<void, std::string> remove(std::string_view name) const {
    const LONG rc = RegDeleteValueW(key_, widen(name).c_str());
    return check(rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : rc, name);
  }

 private:
  WritableKey(HKEY key, std::string description)
      : key_(key), description_(std::move(description)) {}
  [[nodiscard]] std::expected<void, std::string> check(LONG rc, std::string_view name) const {
    if (rc == ERROR_SUCCESS) return {};
    return std::unexpected("cannot write " + description_ + "\\" + std::string(name) + ": " +
                           describeWin32Error(static_cast<DWORD>(rc)));
  }
  HKEY key_;
  std::string description_;
};

std::expected<void, std::string> writeList(const WritableKey& restrictions, std::string_view name,
                                           const std::vector<std::string>& items) {
  const auto path = std::string(kDeviceInstallRestrictionsKey) + "\\" + std::string(name);
  auto list = WritableKey::create(HKEY_LOCAL_MACHINE, path, describeKey(HKEY_LOCAL_MACHINE, path));
  if (!list) return std::unexpected(list.error());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto ok = list->setString(std::to_string(i + 1), items[i]); !ok) return ok;
  }
  // Entries beyond the new end, left from a longer list.
  for (std::size_t i = items.size() + 1;; ++i) {
    const auto entry = std::to_string(i);
    if (RegQueryValueExW(list->handle(), widen(entry).c_str(), nullptr, nullptr, nullptr,
                         nullptr) != ERROR_SUCCESS) {
      break;
    }
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
  auto key = WritableKey::create(HKEY_LOCAL_MACHINE, kDeviceInstallRestrictionsKey,
                                 describeKey(HKEY_LOCAL_MACHINE, kDeviceInstallRestrictionsKey));
  if (!key) return std::unexpected(key.error());
  // Allow first: a registered medium must not be refused while the deny list is new.
  if (auto ok = key->setDword("AllowDenyLayered", 1); !ok) return ok;
  if (auto ok = writeList(*key, kAllowList, restrictions.allow_instance_ids); !ok) return ok;
  if (auto ok = key->setDword("DenyDeviceIDsRetroactive", 0); !ok) return ok;
  return writeList(*key, kDenyList, restrictions.deny_device_ids);
}

}  // namespace mamori::platform::windows
