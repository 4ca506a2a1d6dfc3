#include "usb_sysfs.hpp"

#include <algorithm>
#include <charconv>

#include "mamori/platform/uevent.hpp"
#include "mamori/platform/usb_descriptors.hpp"

namespace mamori::platform::linux {
namespace {

constexpr std::string_view kDevices = kUsbDevicesDir;

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

SysfsUsbDevice readDevice(const RootFs& fs, const std::string& name,
                          const std::vector<std::string>& entries) {
  const auto dir = fs.path(std::string(kDevices) + "/" + name);
  SysfsUsbDevice seen;
  auto& d = seen.device;
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
      seen.interface_entries.push_back(entry);
    }
  }
  if (d.interfaces.empty()) {
    // Unconfigured (e.g. not authorised): only the raw descriptors tell what it is.
    if (auto raw = fs.read(std::string(kDevices) + "/" + name + "/descriptors", 64 * 1024)) {
      d.interfaces = interfacesFromDescriptors(*raw);
    }
  }
  return seen;
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
    if (isRootHubName(name)) {
      inventory.controllers.push_back(readController(fs, name));
    } else if (isUsbDeviceName(name)) {
      inventory.devices.push_back(readDevice(fs, name, entries).device);
    }
  }
  return inventory;
}

std::optional<SysfsUsbDevice> readUsbDevice(const RootFs& fs, const std::string& name) {
  if (!fs.exists(std::string(kDevices) + "/" + name)) return std::nullopt;
  return readDevice(fs, name, fs.list(kDevices));
}

std::vector<std::string> listRootHubs(const RootFs& fs) {
  auto names = fs.list(kDevices);
  std::erase_if(names, [](const std::string& n) { return !isRootHubName(n); });
  return names;
}

std::vector<std::string> listUsbDevices(const RootFs& fs) {
  auto names = fs.list(kDevices);
  std::erase_if(names, [](const std::string& n) { return !isUsbDeviceName(n); });
  return names;
}

std::vector<std::string> blockDevicesOf(const RootFs& fs, const SysfsUsbDevice& device) {
  namespace fsys = std::filesystem;
  // interface/host0/target0:0:0/0:0:0:0/block/sdb/sdb1 is 6 levels down; sysfs has no deeper
  // path to a USB disk, and the bound keeps a strange tree from costing much.
  constexpr int kMaxDepth = 8;
  std::vector<std::string> names;
  for (const auto& entry : device.interface_entries) {
    std::error_code ec;
    const auto top = fs.path(std::string(kDevices) + "/" + entry);
    for (fsys::recursive_directory_iterator
             it(top, fsys::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec)) {
      if (it.depth() >= kMaxDepth) it.disable_recursion_pending();
      if (it->is_symlink(ec) || !it->is_directory(ec)) continue;
      const auto& dir = it->path();
      const bool disk = dir.parent_path().filename() == "block";
      const bool partition = dir.parent_path().parent_path().filename() == "block" &&
                             fsys::exists(dir / "partition", ec);
      if (!disk && !partition) continue;
      // The kernel writes '/' in device names as '!' in sysfs (cciss!c0d0 is /dev/cciss/c0d0).
      auto name = dir.filename().string();
      std::ranges::replace(name, '!', '/');
      names.push_back(std::move(name));
    }
  }
  std::ranges::sort(names);
  const auto duplicates = std::ranges::unique(names);
  names.erase(duplicates.begin(), duplicates.end());
  return names;
}

}  // namespace mamori::platform::linux
