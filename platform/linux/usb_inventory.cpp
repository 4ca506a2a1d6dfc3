#include "mamori/platform/usb_inventory.hpp"

#include "usb_sysfs.hpp"

namespace mamori::platform {

policy::Observed<policy::UsbInventory> readUsbInventory(const std::filesystem::path& root) {
  return linux::readUsbInventory(linux::RootFs(root));
}

}  // namespace mamori::platform
