#include "system_probes.hpp"

#include <algorithm>

#include "device_identity.hpp"
#include "mamori/platform/dpkg_status.hpp"
#include "mamori/platform/os_release.hpp"

namespace mamori::platform::linux {
namespace {

using policy::Observed;

std::string firstLine(const RootFs& fs, std::string_view file) {
  return fs.attribute(fs.path(file));
}

// The newest change any of dpkg's or apt's logs records. logrotate may just have emptied
// dpkg.log, so its predecessor is read too.
Observed<policy::TimePoint> lastPackageChange(const RootFs& fs) {
  std::optional<policy::TimePoint> last;
  const auto consider = [&](std::optional<policy::TimePoint> t) {
    if (t) last = std::max(last.value_or(*t), *t);
  };
  for (std::string_view log : {"/var/log/dpkg.log", "/var/log/dpkg.log.1"}) {
    if (const auto text = fs.read(log)) consider(lastChangeInDpkgLog(*text));
  }
  if (const auto text = fs.read("/var/log/apt/history.log")) {
    consider(lastChangeInAptHistory(*text));
  }
  if (!last) {
    return Observed<policy::TimePoint>::unknown(
        "no package change recorded in /var/log/dpkg.log, dpkg.log.1 or apt/history.log");
  }
  return *last;
}

}  // namespace

Observed<policy::PackageInventory> readPackageInventory(const RootFs& fs) {
  const auto status = fs.read("/var/lib/dpkg/status");
  if (!status) {
    return Observed<policy::PackageInventory>::unknown("no dpkg database: " + status.error());
  }
  policy::PackageInventory inventory;
  inventory.manager = "dpkg";
  inventory.packages = parseDpkgStatus(*status);
  inventory.last_change = lastPackageChange(fs);
  return inventory;
}

Observed<policy::OsRelease> readOsRelease(const RootFs& fs) {
  for (std::string_view file : {"/etc/os-release", "/usr/lib/os-release"}) {
    if (const auto text = fs.read(file, 64 * 1024)) {
      auto os = parseOsRelease(*text);
      if (os.id.empty())
        return Observed<policy::OsRelease>::unknown(std::string(file) + " has no ID");
      return os;
    }
  }
  return Observed<policy::OsRelease>::unknown("neither /etc/os-release nor /usr/lib/os-release");
}

policy::DeviceIdentity readIdentity(const RootFs& fs) {
  return {firstLine(fs, "/etc/hostname"), firstLine(fs, "/etc/machine-id"), readSmbiosUuid(fs),
          readPhysicalMacs(fs)};
}

}  // namespace mamori::platform::linux
