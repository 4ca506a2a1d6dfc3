#pragma once

// What the USB and the disk readers share of SetupAPI and CfgMgr32: a device information set
// that closes itself, and a node's instance id and parent.

// windows.h before the SetupAPI headers: not sorted.
// clang-format off
#include <windows.h>
#include <cfgmgr32.h>
#include <setupapi.h>
// clang-format on

#include <memory>
#include <optional>
#include <string>

namespace mamori::platform::windows {

struct DeviceInfoSetCloser {
  void operator()(HDEVINFO set) const {
    if (set != INVALID_HANDLE_VALUE) SetupDiDestroyDeviceInfoList(set);
  }
};
using DeviceInfoSet = std::unique_ptr<void, DeviceInfoSetCloser>;

/// `USB\VID_0781&PID_5581\4C530001230715117083`; empty when CfgMgr32 cannot say.
std::string deviceIdOf(DEVINST instance);

/// The node above `instance`; nullopt at the root.
std::optional<DEVINST> parentOf(DEVINST instance);

/// GetLastError() in words.
std::string lastError();

}  // namespace mamori::platform::windows
