#pragma once

#include <set>
#include <string>

#include "mamori/policy/observed.hpp"
#include "root_fs.hpp"

namespace mamori::platform::linux {

using ProcessNames = std::set<std::string, std::less<>>;

/// The names (`comm`) of the processes running, from `/proc/<pid>/comm`; unknown without /proc.
policy::Observed<ProcessNames> runningProcessNames(const RootFs& fs);

}  // namespace mamori::platform::linux
