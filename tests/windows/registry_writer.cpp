#include "registry_writer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <ranges>

#include "wide_string.hpp"

namespace mamori::testing {

using platform::windows::widen;

RegistryValues::RegistryValues(HKEY root, std::string path) {
  const LONG rc = RegCreateKeyExW(root, widen(path).c_str(), 0, nullptr, 0,
                                  KEY_READ | KEY_WRITE | KEY_WOW64_64KEY, nullptr, &key_, nullptr);
  REQUIRE_MESSAGE(rc == ERROR_SUCCESS, "cannot create ", path, ": ", rc);
}

RegistryValues::~RegistryValues() {
  for (const auto& s : std::views::reverse(saved_)) {
    if (s.old) {
      RegSetValueExW(key_, s.name.c_str(), 0, s.old->first, s.old->second.data(),
                     static_cast<DWORD>(s.old->second.size()));
    } else {
      RegDeleteValueW(key_, s.name.c_str());
    }
  }
  RegCloseKey(key_);
}

void RegistryValues::save(const std::wstring& name) {
  if (std::ranges::any_of(saved_, [&](const Saved& s) { return s.name == name; })) return;
  DWORD type = 0, size = 0;
  Saved s{name, std::nullopt};
  if (RegQueryValueExW(key_, name.c_str(), nullptr, &type, nullptr, &size) == ERROR_SUCCESS) {
    std::vector<BYTE> data(size);
    RegQueryValueExW(key_, name.c_str(), nullptr, &type, data.data(), &size);
    s.old = std::pair{type, std::move(data)};
  }
  saved_.push_back(std::move(s));
}

void RegistryValues::setString(const std::string& name, const std::string& value, DWORD type) {
  const auto wide_name = widen(name);
  save(wide_name);
  const auto wide = widen(value);
  const auto bytes = static_cast<DWORD>((wide.size() + 1) * sizeof(wchar_t));
  REQUIRE(RegSetValueExW(key_, wide_name.c_str(), 0, type,
                         reinterpret_cast<const BYTE*>(wide.c_str()), bytes) == ERROR_SUCCESS);
}

void RegistryValues::setDword(const std::string& name, std::uint32_t value) {
  const auto wide_name = widen(name);
  save(wide_name);
  const DWORD v = value;
  REQUIRE(RegSetValueExW(key_, wide_name.c_str(), 0, REG_DWORD, reinterpret_cast<const BYTE*>(&v),
                         sizeof v) == ERROR_SUCCESS);
}

void RegistryValues::remove(const std::string& name) {
  const auto wide_name = widen(name);
  save(wide_name);
  RegDeleteValueW(key_, wide_name.c_str());
}

}  // namespace mamori::testing
