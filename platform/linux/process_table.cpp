#include "process_table.hpp"

#include <algorithm>

namespace mamori::platform::linux {

policy::Observed<ProcessNames> runningProcessNames(const RootFs& fs) {
  if (!fs.exists("/proc/self") && !fs.exists("/proc/1")) {
    return policy::Observed<ProcessNames>::unknown("/proc is not mounted");
  }
  ProcessNames names;
  for (const auto& entry : fs.list("/proc")) {
    if (entry.empty() || !std::ranges::all_of(entry, [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    // A process may exit between listing and reading: an empty name is simply skipped.
    auto name = fs.attribute(fs.path("/proc/" + entry + "/comm"));
    if (!name.empty()) names.insert(std::move(name));
  }
  return names;
}

}  // namespace mamori::platform::linux
