#include "mamori/platform/wmi_object.hpp"

namespace mamori::platform {
namespace {

template <class T>
std::optional<T> get(const std::map<std::string, WmiValue, std::less<>>& properties,
                     std::string_view name) {
  const auto it = properties.find(name);
  if (it == properties.end()) return std::nullopt;
  if (const auto* value = std::get_if<T>(&it->second)) return *value;
  return std::nullopt;
}

}  // namespace

std::optional<bool> WmiObject::boolean(std::string_view name) const {
  return get<bool>(properties_, name);
}

std::optional<std::int64_t> WmiObject::integer(std::string_view name) const {
  return get<std::int64_t>(properties_, name);
}

std::optional<std::string> WmiObject::string(std::string_view name) const {
  return get<std::string>(properties_, name);
}

}  // namespace mamori::platform
