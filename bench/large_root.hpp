#pragma once

#include <filesystem>

namespace mamori::bench {

struct LargeRootSize {
  int packages = 3200;
  int usb_devices = 60;
  int processes = 250;
  int dpkg_log_lines = 40000;
};

/// Writes a realistic, large system root under `dir`: a dpkg database and logs the size of a
/// full desktop install, a USB tree with hubs, keyboards and sticks, ClamAV databases, /proc.
void writeLargeRoot(const std::filesystem::path& dir, const LargeRootSize& size);

}  // namespace mamori::bench
