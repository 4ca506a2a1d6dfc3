#include "device_nodes.hpp"

#include "wide_string.hpp"
#include "windows_error.hpp"

namespace mamori::platform::windows {

std::string deviceIdOf(DEVINST instance) {
  wchar_t id[MAX_DEVICE_ID_LEN + 1] = {};
  if (CM_Get_Device_IDW(instance, id, MAX_DEVICE_ID_LEN, 0) != CR_SUCCESS) return {};
  return narrow(id);
}

std::optional<DEVINST> parentOf(DEVINST instance) {
  DEVINST parent = 0;
  if (CM_Get_Parent(&parent, instance, 0) != CR_SUCCESS) return std::nullopt;
  return parent;
}

std::string lastError() { return describeWin32Error(GetLastError()); }

}  // namespace mamori::platform::windows
