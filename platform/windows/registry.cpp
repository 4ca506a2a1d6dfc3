#include "registry.hpp"

#include <utility>
#include <vector>

#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::platform::windows {

std::expected<RegistryKey, std::string> RegistryKey::open(HKEY root, std::string_view path) {
  HKEY key = nullptr;
  const LONG rc = RegOpenKeyExW(root, widen(path).c_str(), 0, KEY_READ | KEY_WOW64_64KEY, &key);
  if (rc != ERROR_SUCCESS) {
    const auto why = rc == ERROR_FILE_NOT_FOUND ? std::string(" does not exist")
                                                : ": " + describeWin32Error(static_cast<DWORD>(rc));
    return std::unexpected(describeKey(root, path) + why);
  }
  return RegistryKey(key);
}

RegistryKey::~RegistryKey() {
  if (key_) RegCloseKey(key_);
}

std::optional<std::string> RegistryKey::string(std::string_view name) const {
  const auto wide_name = widen(name);
  DWORD type = 0, bytes = 0;
  if (RegQueryValueExW(key_, wide_name.c_str(), nullptr, &type, nullptr, &bytes) != ERROR_SUCCESS ||
      (type != REG_SZ && type != REG_EXPAND_SZ)) {
    return std::nullopt;
  }
  // Registry strings need not be terminated; one spare character makes room for it.
  std::vector<wchar_t> buffer(bytes / sizeof(wchar_t) + 1, L'\0');
  DWORD size = static_cast<DWORD>(buffer.size() * sizeof(wchar_t));
  if (RegQueryValueExW(key_, wide_name.c_str(), nullptr, &type,
                       reinterpret_cast<BYTE*>(buffer.data()), &size) != ERROR_SUCCESS) {
    return std::nullopt;
  }
  std::wstring_view value(buffer.data(), size / sizeof(wchar_t));
  while (!value.empty() && value.back() == L'\0') value.remove_suffix(1);
  return narrow(value);
}

std::optional<std::uint32_t> RegistryKey::dword(std::string_view name) const {
  DWORD type = 0, value = 0, size = sizeof value;
  if (RegQueryValueExW(key_, widen(name).c_str(), nullptr, &type, reinterpret_cast<BYTE*>(&value),
                       &size) != ERROR_SUCCESS ||
      type != REG_DWORD) {
    return std::nullopt;
  }
  return value;
}

bool RegistryKey::has(std::string_view name) const {
  return RegQueryValueExW(key_, widen(name).c_str(), nullptr, nullptr, nullptr, nullptr) ==
         ERROR_SUCCESS;
}

std::string describeKey(HKEY root, std::string_view path) {
  const char* hive = root == HKEY_LOCAL_MACHINE  ? "HKLM"
                     : root == HKEY_CURRENT_USER ? "HKCU"
                     : root == HKEY_USERS        ? "HKU"
                                                 : "HK?";
  return std::string(hive) + "\\" + std::string(path);
}

}  // namespace mamori::platform::windows
