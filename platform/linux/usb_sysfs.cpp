#include "usb_sysfs.hpp"

#include <charconv>

#include "mamori/platform/usb_descriptors.hpp"

namespace mamori::platform::linux {
namespace {

constexpr std::string_view kDevices = "/sys/bus/usb/devices";

template <class T>
T hexAttribute(const RootFs& fs, const std::filesystem::path& file) {
  const auto text = fs.attribute(file);
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return static_cast<T>(value);
}

// `authorized` is 1 unless the file says 0 (older kernels have no per-interface file).
bool authorizedAttribute(const RootFs& fs, const std::filesystem::path& file) {
  return fs.attribute(file) != "0";
}

policy::UsbController readController(const RootFs& fs, const std::string& name) {
  const auto dir = fs.path(std::string(kDevices) + "/" + name);
  policy::UsbController c;
  c.name = name;
  const auto text = fs.attribute(dir / "authorized_default");
  if (!text.empty()) std::from_chars(text.data(), text.data() + text.size(), c.authorized_default);
  const auto iface = fs.attribute(dir / "interface_authorized_default");
  if (!iface.empty()) c.interface_authorized_default = iface != "0";
  return c;
}

policy::UsbInterface readInterface(const RootFs& fs, const std::filesystem::path& dir) {
  policy::UsbInterface i;
  i.number = hexAttribute<std::uint8_t>(fs, dir / "bInterfaceNumber");
  i.interface_class = hexAttribute<std::uint8_t>(fs, dir / "bInterfaceClass");
  i.subclass = hexAttribute<std::uint8_t>(fs, dir / "bInterfaceSubClass");
  i.protocol = hexAttribute<std::uint8_t>(fs, dir / "bInterfaceProtocol");
  i.authorized = authorizedAttribute(fs, dir / "authorized");
  return i;
}

policy::UsbDevice readDevice(const RootFs& fs, const std::string& name,
                             const std::vector<std::string>& entries) {
  const auto dir = fs.path(std::string(kDevices) + "/" + name);
  policy::UsbDevice d;
  d.port = name;
  d.vendor_id = hexAttribute<std::uint16_t>(fs, dir / "idVendor");
  d.product_id = hexAttribute<std::uint16_t>(fs, dir / "idProduct");
  d.device_class = hexAttribute<std::uint8_t>(fs, dir / "bDeviceClass");
  d.serial = fs.attribute(dir / "serial");
  d.manufacturer = fs.attribute(dir / "manufacturer");
  d.product = fs.attribute(dir / "product");
  d.authorized = authorizedAttribute(fs, dir / "authorized");

  // Interfaces are listed beside devices as `<device>:<config>.<interface>`.
  const auto prefix = name + ":";
  for (const auto& entry : entries) {
    if (entry.starts_with(prefix)) {
      d.interfaces.push_back(readInterface(fs, fs.path(std::string(kDevices) + "/" + entry)));
    }
  }
  if (d.interfaces.empty()) {
    // Unconfigured (e.g. not authorised): only the raw descriptors tell what it is.
    if (auto raw = fs.read(std::string(kDevices) + "/" + name + "/descriptors", 64 * 1024)) {
      d.interfaces = interfacesFromDescriptors(*raw);
    }
  }
  return d;
}

}  // namespace

policy::Observed<policy::UsbInventory> readUsbInventory(const RootFs& fs) {
  if (!fs.exists("/sys/bus")) {
    return policy::Observed<policy::UsbInventory>::unknown("sysfs is not mounted at /sys");
  }
  // Without a host-controller driver the kernel registers no USB bus: no USB ports at all.
  policy::UsbInventory inventory;
  if (!fs.exists("/sys/bus/usb")) return inventory;
  const auto entries = fs.list(kDevices);
  for (const auto& name : entries) {
    if (name.starts_with("usb")) {
      inventory.controllers.push_back(readController(fs, name));
    } else if (name.find(':') == std::string::npos) {
      inventory.devices.push_back(readDevice(fs, name, entries));
    }
  }
  return inventory;
}

}  // namespace mamori::platform::linux
