#pragma once

// A WMI instance as plain values, so the Windows readers' decode layer runs (and is tested) on
// any OS: the COM reader in platform/windows fills these from IWbemClassObject properties.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace mamori::platform {

/// VT_BOOL, the integer VARIANT types, and VT_BSTR (UTF-8). A property that is NULL is absent.
using WmiValue = std::variant<bool, std::int64_t, std::string>;

class WmiObject {
 public:
  WmiObject() = default;
  WmiObject(std::initializer_list<std::pair<const std::string, WmiValue>> properties)
      : properties_(properties) {}

  void set(std::string name, WmiValue value) { properties_[std::move(name)] = std::move(value); }

  /// nullopt when the property is absent or NULL, or holds another type.
  [[nodiscard]] std::optional<bool> boolean(std::string_view name) const;
  [[nodiscard]] std::optional<std::int64_t> integer(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> string(std::string_view name) const;

  [[nodiscard]] bool empty() const { return properties_.empty(); }

 private:
  std::map<std::string, WmiValue, std::less<>> properties_;
};

}  // namespace mamori::platform
