#pragma once

// `mamori-agent usb list`: the USB devices of this PC, what the OS allows each to do now, what
// the policy decides for it and why, and the last decisions the agent logged.

#include <filesystem>
#include <iosfwd>
#include <optional>

#include "mamori/agent/service_commands.hpp"
#include "mamori/policy/segment.hpp"
#include "mamori/policy/text.hpp"

namespace mamori::agent {

struct UsbListOptions {
  std::filesystem::path root = "/";
  std::filesystem::path state_dir = kDefaultStateDir;
  std::optional<std::filesystem::path> policy_file;  ///< none: the built-in defaults
  std::optional<policy::Segment> segment;            ///< none: enrolled segment, else the policy's
  policy::Lang lang = policy::Lang::kJa;
};

/// Exit code 0, or 2 with one line on `err` (unreadable policy or sysfs).
int runUsbList(const UsbListOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mamori::agent
