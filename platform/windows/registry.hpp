#pragma once

// Access to one registry key, read-only or (for the settings mamori owns) writable. Always the
// 64-bit view: a 32-bit reading of HKLM\SOFTWARE would see WOW6432Node and report another
// machine's settings.

#include <windows.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  /// The names of all values (their data is not read).
  [[nodiscard]] std::vector<std::string> valueNames() const;

 private:
  explicit RegistryKey(HKEY key) : key_(key) {}
  HKEY key_;
};

/// A key mamori writes, created when missing. Errors name the key and the value.
class WritableRegistryKey {
 public:
  static std::expected<WritableRegistryKey, std::string> create(HKEY root, std::string_view path);

  WritableRegistryKey(WritableRegistryKey&& other) noexcept
      : key_(std::exchange(other.key_, nullptr)), name_(std::move(other.name_)) {}
  WritableRegistryKey& operator=(WritableRegistryKey&&) = delete;
  WritableRegistryKey(const WritableRegistryKey&) = delete;
  ~WritableRegistryKey();

  std::expected<void, std::string> setDword(std::string_view name, std::uint32_t value) const;
  std::expected<void, std::string> setString(std::string_view name, std::string_view value) const;
  /// Absent already is fine.
  std::expected<void, std::string> remove(std::string_view name) const;
  [[nodiscard]] bool has(std::string_view name) const;

 private:
  WritableRegistryKey(HKEY key, std::string name) : key_(key), name_(std::move(name)) {}
  [[nodiscard]] std::expected<void, std::string> check(LONG rc, std::string_view value) const;
  HKEY key_;
  std::string name_;  ///< `HKLM\SOFTWARE\...`, for messages
};

/// `HKLM\SOFTWARE\...` for messages.
std::string describeKey(HKEY root, std::string_view path);

}  // namespace mamori::platform::windows
