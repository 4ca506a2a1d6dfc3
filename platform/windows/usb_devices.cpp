// The USB bus through SetupAPI and CfgMgr32.

// windows.h before the SetupAPI headers; initguid.h before devpkey.h, usbiodef.h and winioctl.h so
// that the property keys and the interface classes are defined here, not only declared: not sorted.
// clang-format off
#include <windows.h>
#include <initguid.h>
#include <cfgmgr32.h>
#include <devpkey.h>
#include <setupapi.h>
#include <dbt.h>
#include <usbiodef.h>
#include <winioctl.h>
// clang-format on

#include "usb_devices.hpp"

#include "device_install_policy.hpp"
#include "device_nodes.hpp"
#include "mamori/platform/usb_inventory.hpp"
#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::platform::windows {
namespace {

// REG_MULTI_SZ and REG_SZ device properties (SPDRP_*), as UTF-8 strings.
std::vector<std::string> registryProperty(HDEVINFO set, SP_DEVINFO_DATA& info, DWORD property) {
  DWORD type = 0, bytes = 0;
  SetupDiGetDeviceRegistryPropertyW(set, &info, property, &type, nullptr, 0, &bytes);
  if (bytes == 0 || (type != REG_MULTI_SZ && type != REG_SZ)) return {};
  std::vector<wchar_t> buffer(bytes / sizeof(wchar_t) + 2, L'\0');
  if (!SetupDiGetDeviceRegistryPropertyW(set, &info, property, &type,
                                         reinterpret_cast<BYTE*>(buffer.data()), bytes, nullptr)) {
    return {};
  }
  std::vector<std::string> values;
  for (const wchar_t* p = buffer.data(); *p != L'\0'; p += wcslen(p) + 1)
    values.push_back(narrow(p));
  return values;
}

std::string firstOf(std::vector<std::string> values) {
  return values.empty() ? std::string() : std::move(values.front());
}

std::string stringProperty(HDEVINFO set, SP_DEVINFO_DATA& info, const DEVPROPKEY& key) {
  DEVPROPTYPE type = 0;
  DWORD bytes = 0;
  SetupDiGetDevicePropertyW(set, &info, &key, &type, nullptr, 0, &bytes, 0);
  if (bytes == 0 || type != DEVPROP_TYPE_STRING) return {};
  std::vector<wchar_t> buffer(bytes / sizeof(wchar_t) + 1, L'\0');
  if (!SetupDiGetDevicePropertyW(set, &info, &key, &type, reinterpret_cast<BYTE*>(buffer.data()),
                                 bytes, nullptr, 0)) {
    return {};
  }
  return narrow(buffer.data());
}

PnpDevice nodeOf(HDEVINFO set, SP_DEVINFO_DATA& info) {
  PnpDevice node;
  node.instance_id = deviceIdOf(info.DevInst);
  if (const auto parent = parentOf(info.DevInst)) node.parent_id = deviceIdOf(*parent);
  node.compatible_ids = registryProperty(set, info, SPDRP_COMPATIBLEIDS);
  node.description = stringProperty(set, info, DEVPKEY_Device_BusReportedDeviceDesc);
  if (node.description.empty())
    node.description = firstOf(registryProperty(set, info, SPDRP_DEVICEDESC));
  node.manufacturer = firstOf(registryProperty(set, info, SPDRP_MFG));
  node.location = firstOf(registryProperty(set, info, SPDRP_LOCATION_INFORMATION));
  ULONG status = 0, problem = 0;
  node.started = CM_Get_DevNode_Status(&status, &problem, info.DevInst, 0) == CR_SUCCESS &&
                 (status & DN_STARTED) != 0;
  return node;
}

}  // namespace

std::expected<std::vector<PnpDevice>, std::string> readUsbDeviceNodes() {
  const DeviceInfoSet set(
      SetupDiGetClassDevsW(nullptr, L"USB", nullptr, DIGCF_ALLCLASSES | DIGCF_PRESENT));
  if (set.get() == INVALID_HANDLE_VALUE) {
    return std::unexpected("SetupAPI cannot list the USB devices: " + lastError());
  }
  std::vector<PnpDevice> nodes;
  SP_DEVINFO_DATA info{};
  info.cbSize = sizeof info;
  for (DWORD i = 0; SetupDiEnumDeviceInfo(set.get(), i, &info); ++i) {
    nodes.push_back(nodeOf(set.get(), info));
  }
  if (GetLastError() != ERROR_NO_MORE_ITEMS) {
    return std::unexpected("SetupAPI stopped listing the USB devices: " + lastError());
  }
  return nodes;
}

std::expected<void, std::string> setUsbFunctionEnabled(std::string_view instance_id, bool enabled) {
  if (!parseUsbInstanceId(instance_id)) {
    return std::unexpected("refusing to change " + std::string(instance_id) +
                           ": not a USB device or function");
  }
  const DeviceInfoSet set(SetupDiCreateDeviceInfoList(nullptr, nullptr));
  if (set.get() == INVALID_HANDLE_VALUE) return std::unexpected("SetupAPI: " + lastError());
  SP_DEVINFO_DATA info{};
  info.cbSize = sizeof info;
  if (!SetupDiOpenDeviceInfoW(set.get(), widen(instance_id).c_str(), nullptr, 0, &info)) {
    return std::unexpected("cannot open " + std::string(instance_id) + ": " + lastError());
  }
  SP_PROPCHANGE_PARAMS change{};
  change.ClassInstallHeader.cbSize = sizeof(SP_CLASSINSTALL_HEADER);
  change.ClassInstallHeader.InstallFunction = DIF_PROPERTYCHANGE;
  change.StateChange = enabled ? DICS_ENABLE : DICS_DISABLE;
  change.Scope = DICS_FLAG_GLOBAL;
  if (!SetupDiSetClassInstallParamsW(set.get(), &info, &change.ClassInstallHeader, sizeof change) ||
      !SetupDiCallClassInstaller(DIF_PROPERTYCHANGE, set.get(), &info)) {
    return std::unexpected(std::string(enabled ? "cannot enable " : "cannot disable ") +
                           std::string(instance_id) + ": " + lastError());
  }
  // A device in use (a file open on the stick) changes only at the next restart: until then
  // it works as before, which is not what the caller asked for.
  SP_DEVINSTALL_PARAMS_W params{};
  params.cbSize = sizeof params;
  if (SetupDiGetDeviceInstallParamsW(set.get(), &info, &params) &&
      (params.Flags & (DI_NEEDREBOOT | DI_NEEDRESTART)) != 0) {
    return std::unexpected(std::string(instance_id) + (enabled ? " is enabled" : " is disabled") +
                           " only after a restart of Windows (the device is in use)");
  }
  return {};
}

std::expected<std::vector<HDEVNOTIFY>, std::string> registerUsbDeviceEvents(
    SERVICE_STATUS_HANDLE service) {
  std::vector<HDEVNOTIFY> handles;
  // USB devices, and disks: a read-only medium's disk arrives after its device was judged.
  for (const GUID& kind : {GUID_DEVINTERFACE_USB_DEVICE, GUID_DEVINTERFACE_DISK}) {
    DEV_BROADCAST_DEVICEINTERFACE_W filter{};
    filter.dbcc_size = sizeof filter;
    filter.dbcc_devicetype = DBT_DEVTYP_DEVICEINTERFACE;
    filter.dbcc_classguid = kind;
    const HDEVNOTIFY handle =
        RegisterDeviceNotificationW(service, &filter, DEVICE_NOTIFY_SERVICE_HANDLE);
    if (handle == nullptr) {
      const auto error = lastError();
      for (const auto registered : handles) UnregisterDeviceNotification(registered);
      return std::unexpected("cannot register for USB device events: " + error);
    }
    handles.push_back(handle);
  }
  return handles;
}

}  // namespace mamori::platform::windows

namespace mamori::platform {

// `root` names a Linux file tree; Windows has none to redirect.
policy::Observed<policy::UsbInventory> readUsbInventory(const std::filesystem::path&) {
  auto nodes = windows::readUsbDeviceNodes();
  if (!nodes) return policy::Observed<policy::UsbInventory>::unknown(nodes.error());
  const auto restrictions = windows::readDeviceInstallRestrictions();
  if (!restrictions) return policy::Observed<policy::UsbInventory>::unknown(restrictions.error());
  return windowsUsbInventory(*nodes, deniesMassStorage(*restrictions));
}

}  // namespace mamori::platform
