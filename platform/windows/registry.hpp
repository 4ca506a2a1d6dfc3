#pragma once

// Read access to one registry key. Always the 64-bit view: a 32-bit reading of HKLM\SOFTWARE
// would see WOW6432Node and report another machine's settings.

#include <windows.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mamori::platform::windows {

class RegistryKey {
 public:
  /// `path` below `root`, e.g. `SOFTWARE\Microsoft\Windows NT\CurrentVersion`.
  static std::expected<RegistryKey, std::string> open(HKEY root, std::string_view path);

  RegistryKey(RegistryKey&& other) noexcept : key_(std::exchange(other.key_, nullptr)) {}
  RegistryKey& operator=(RegistryKey&&) = delete;
  RegistryKey(const RegistryKey&) = delete;
  ~RegistryKey();

  /// REG_SZ or REG_EXPAND_SZ (not expanded), as UTF-8; nullopt when absent or of another type.
  [[nodiscard]] std::optional<std::string> string(std::string_view name) const;
  /// REG_DWORD; nullopt when absent or of another type.
  [[nodiscard]] std::optional<std::uint32_t> dword(std::string_view name) const;
  /// Whether the value exists, whatever its type (its data is not read).
  [[nodiscard]] bool has(std::string_view name) const;

 private:
  explicit RegistryKey(HKEY key) : key_(key) {}
  HKEY key_;
};

/// `HKLM\SOFTWARE\...` for messages.
std::string describeKey(HKEY root, std::string_view path);

}  // namespace mamori::platform::windows
