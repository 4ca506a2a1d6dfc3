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

std::expected<WritableRegistryKey, std::string> WritableRegistryKey::create(HKEY root,
                                                                            std::string_view path) {
  HKEY key = nullptr;
  const LONG rc = RegCreateKeyExW(root, widen(path).c_str(), 0, nullptr, 0,
                                  KEY_READ | KEY_WRITE | KEY_WOW64_64KEY, nullptr, &key, nullptr);
  if (rc != ERROR_SUCCESS) {
    return std::unexpected("cannot open " + describeKey(root, path) +
                           " for writing: " + describeWin32Error(static_cast<DWORD>(rc)));
  }
  return WritableRegistryKey(key, describeKey(root, path));
}

WritableRegistryKey::~WritableRegistryKey() {
  if (key_) RegCloseKey(key_);
}

std::expected<void, std::string> WritableRegistryKey::setDword(std::string_view name,
                                                               std::uint32_t value) const {
  const DWORD data = value;
  return check(RegSetValueExW(key_, widen(name).c_str(), 0, REG_DWORD,
                              reinterpret_cast<const BYTE*>(&data), sizeof data),
               name);
}

std::expected<void, std::string> WritableRegistryKey::setString(std::string_view name,
                                                                std::string_view value) const {
  const auto wide = widen(value);
  return check(RegSetValueExW(key_, widen(name).c_str(), 0, REG_SZ,
                              reinterpret_cast<const BYTE*>(wide.c_str()),
                              static_cast<DWORD>((wide.size() + 1) * sizeof(wchar_t))),
               name);
}

std::expected<void, std::string> WritableRegistryKey::remove(std::string_view name) const {
  const LONG rc = RegDeleteValueW(key_, widen(name).c_str());
  return check(rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : rc, name);
}

bool WritableRegistryKey::has(std::string_view name) const {
  return RegQueryValueExW(key_, widen(name).c_str(), nullptr, nullptr, nullptr, nullptr) ==
         ERROR_SUCCESS;
}

std::vector<std::string> RegistryKey::valueNames() const {
  std::vector<std::string> names;
  DWORD count = 0, longest = 0;
  if (RegQueryInfoKeyW(key_, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &count, &longest,
                       nullptr, nullptr, nullptr) != ERROR_SUCCESS) {
    return names;
  }
  std::vector<wchar_t> name(longest + 1);
  for (DWORD i = 0; i < count; ++i) {
    DWORD length = static_cast<DWORD>(name.size());
    if (RegEnumValueW(key_, i, name.data(), &length, nullptr, nullptr, nullptr, nullptr) ==
        ERROR_SUCCESS) {
      names.push_back(narrow(std::wstring_view(name.data(), length)));
    }
  }
  return names;
}

std::expected<void, std::string> WritableRegistryKey::check(LONG rc, std::string_view value) const {
  if (rc == ERROR_SUCCESS) return {};
  return std::unexpected("cannot write " + name_ + "\\" + std::string(value) + ": " +
                         describeWin32Error(static_cast<DWORD>(rc)));
}

std::string describeKey(HKEY root, std::string_view path) {
  const char* hive = root == HKEY_LOCAL_MACHINE  ? "HKLM"
                     : root == HKEY_CURRENT_USER ? "HKCU"
                     : root == HKEY_USERS        ? "HKU"
                                                 : "HK?";
  return std::string(hive) + "\\" + std::string(path);
}

}  // namespace mamori::platform::windows
