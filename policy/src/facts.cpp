#include "mamori/policy/facts.hpp"

#include <algorithm>
#include <cstdio>

namespace mamori::policy {

bool UsbDevice::hasKind(UsbKind kind) const {
  return std::ranges::any_of(interfaces,
                             [kind](const UsbInterface& i) { return i.kind() == kind; });
}

std::string UsbDevice::vidPid() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04x:%04x", vendor_id, product_id);
  return buf;
}

std::span<const InstalledPackage> PackageInventory::find(std::string_view name) const {
  const auto range =
      std::ranges::equal_range(packages, name, std::less<>{}, &InstalledPackage::name);
  return {range.begin(), range.end()};
}

}  // namespace mamori::policy
